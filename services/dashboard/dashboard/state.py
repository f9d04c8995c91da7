"""What one browser session has open: the client, their file, and the page on screen.

One OpenClient per session, shared by the pages. A page is a `ClientPage`: it shows the open
client's file as its `file`, which follows the open client only while the page is on screen, so
opening a file recomputes the page in view (and those cheap enough to follow hidden) and no other;
a page shown again catches up then.
"""

from __future__ import annotations

import param

from dashboard.store import ClientFileRecord


class OpenClient(param.Parameterized):
    client_id = param.Integer(default=None, allow_None=True, doc="the client whose file is open")
    record = param.ClassSelector(
        class_=ClientFileRecord,
        default=None,
        allow_None=True,
        doc="their file as the store has it; None: no decided application",
    )
    page = param.Parameter(
        default=None, doc="the page on screen: the one that follows the open client"
    )

    def __init__(self, store, **params):
        super().__init__(**params)
        self._store = store

    def open(self, client_id: int | None) -> None:
        """The client's file; the same client opened again is their file read again."""
        if client_id == self.client_id:
            self.refresh()
        else:
            self.param.update(client_id=client_id, record=self._read(client_id))

    def refresh(self) -> None:
        """The file read again (a review recorded, a newer application): a new record only if it
        changed."""
        self.show(self.page)

    def show(self, page) -> None:
        """`page` on screen, with the file as it is now (another reviewer may have decided it
        meanwhile)."""
        record = self._read(self.client_id)
        self.param.update(page=page, **({} if record == self.record else {"record": record}))

    def _read(self, client_id: int | None) -> ClientFileRecord | None:
        return None if client_id is None else self._store.client_file(client_id)


class ClientPage(param.Parameterized):
    """A page about the open client: draws `file`, which catches up with the open client while on
    screen (or always, for a page whose drawing costs less on each file than a wait when it is
    shown)."""

    follows_hidden = False
    client = param.ClassSelector(class_=OpenClient, doc="the session's open client")
    file = param.ClassSelector(
        class_=ClientFileRecord,
        default=None,
        allow_None=True,
        precedence=-1,
        doc="the open client's file as this page shows it (set again for each client opened)",
    )

    def __init__(self, **params):
        self._followed = (None, None)  # the client and the record `file` was last set for
        super().__init__(**params)

    @param.depends("client.client_id", "client.record", "client.page", watch=True, on_init=True)
    def _follow(self) -> None:
        client = self.client
        hidden = client.page is not self and not self.follows_hidden
        if hidden or (client.client_id, client.record) == self._followed:
            return
        self._followed = client.client_id, client.record
        if (
            self.file is client.record
        ):  # another client without a file, say: the page says so all the same
            self.param.trigger("file")
        else:
            self.file = client.record
