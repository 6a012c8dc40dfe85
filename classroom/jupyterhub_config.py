"""JupyterHub of the classroom; `classroom.py up` starts it with CLASSROOM_SETTINGS naming its settings.

Loopback only: the proxy listens on 127.0.0.1:PORT, its API on PORT+1, the hub on PORT+2, the notebook
servers on free ports of 127.0.0.1. Accounts log in with their system password (PAM); each gets its own
notebook server, started as that account from the classroom's shared environment.
"""

import json
import os

c = get_config()  # noqa: F821 -- provided by the Jupyter config loader

with open(os.environ["CLASSROOM_SETTINGS"]) as handle:
    SETTINGS = json.load(handle)
HUB_STATE = os.path.dirname(os.environ["CLASSROOM_SETTINGS"])
PORT = SETTINGS["port"]
TEACHERS = {SETTINGS["instructor"], SETTINGS["grader"]}

c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 2
c.JupyterHub.db_url = "sqlite:///" + os.path.join(HUB_STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(HUB_STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(HUB_STATE, "jupyterhub-inner.pid")
# Stopping the hub stops every notebook server and the proxy it started.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# configurable-http-proxy from npm (classroom/package-lock.json)
c.ConfigurableHTTPProxy.command = [SETTINGS["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(HUB_STATE, "proxy.pid")
c.ConfigurableHTTPProxy.debug = False

# Accounts: system users with passwords. A real server keeps PAM or moves to its institution's login.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = TEACHERS | set(SETTINGS["learners"])
c.Authenticator.admin_users = {SETTINGS["instructor"]}
# Containers have no login sessions to open; the accounts' passwords are all PAM is asked about.
c.PAMAuthenticator.open_sessions = False

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(SETTINGS["env"], "bin", "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The servers see the classroom's environment, not the hub's (which runs as root).
c.Spawner.env_keep = ["LANG"]


def per_account(spawner):
    """Teachers work in the course folder (the Formgrader needs it below the server's root)."""
    name = spawner.user.name
    spawner.environment = dict(SETTINGS["user_environment"][name])
    spawner.notebook_dir = SETTINGS["course"] if name in TEACHERS else "~"


c.Spawner.pre_spawn_hook = per_account
