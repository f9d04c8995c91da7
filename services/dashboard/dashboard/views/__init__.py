"""The dashboard's pages, each a Panel Viewer reading the shared Context."""
