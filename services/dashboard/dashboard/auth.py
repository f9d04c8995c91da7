"""The dashboard's log-in, given to `panel serve --auth-module`: Panel's own login page, with the
password checked against the hashed accounts of DASHBOARD_USERS_FILE (see accounts.py).

The session cookie is signed with PANEL_COOKIE_SECRET (environment; never in the repository).
"""

from panel.auth import BasicAuthProvider, BasicLoginHandler

from dashboard.accounts import check
from dashboard.settings import get_settings


class HashedPasswordLogin(BasicLoginHandler):
    def _validate(self, username, password):
        return check(get_settings().users_file, username, password)


_provider = BasicAuthProvider()
get_user, login_url, logout_url = _provider.get_user, _provider.login_url, _provider.logout_url
LoginHandler, LogoutHandler = HashedPasswordLogin, _provider.logout_handler
