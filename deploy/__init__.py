"""Deployment helpers for the local stack (the Kafka broker scripts live in deploy/kafka/)."""
