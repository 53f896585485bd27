"""A real WordPress for the tests: Debian's package, a private MariaDB and PHP's built-in server.

`running_wordpress()` builds everything in a temporary folder and yields a `WordPress` (base_url,
user, password: an application password for the REST API), then stops it and removes the folder:

- MariaDB (mariadb-server-core: the programs, no system service): its own datadir
  (mariadb-install-db), a unix socket in the folder, no TCP; the database and its user are made by
  an --init-file at start-up, so no client has to log in as root.
- WordPress: Debian's /usr/share/wordpress, unchanged. Debian's own wp-config.php only reads
  /etc/wordpress/config-<host>.php, so it is not used: the folder holds a document root of symbolic
  links to Debian's files, with a wp-config.php of its own and a writable wp-content (uploads; the
  themes and plugins are links back to Debian's). ABSPATH is that document root, defined before
  wp-load.php runs (by the router and the installer), so WordPress reads our wp-config.php and
  nothing under /etc.
- PHP: `php -S 127.0.0.1:<free port> router.php`; the router runs the PHP file asked for, returns
  static files as they are, and sends everything else to index.php, so pretty permalinks and
  /wp-json/ work. One process, one request at a time: WordPress must not call itself over HTTP
  (cron is off, outside calls are blocked).
- Installed from the PHP command line (wp_install), with an editor and an application password.
  Application passwords need HTTPS unless the environment type is 'local': wp-config.php says so.

Both servers run in process groups of their own and are killed as groups, so no mysqld or php
outlives the tests (and, should the test process die, each gets SIGTERM from the kernel).
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

WORDPRESS = Path("/usr/share/wordpress")
THEME = WORDPRESS / "wp-content" / "themes" / "twentytwentythree"
# What tools/system-packages.sh installs for these tests.
PACKAGES = "wordpress wordpress-theme-twentytwentythree mariadb-server-core php-cli php-mysql"
START_TIMEOUT = 60.0


class WordPressUnavailable(RuntimeError):
    """The system packages a test WordPress needs are missing."""


@dataclass(frozen=True)
class WordPress:
    base_url: str  # http://127.0.0.1:<port>, no trailing slash
    user: str
    password: str  # an application password, for HTTP Basic authentication
    folder: Path  # the temporary folder (uploads are under folder/www/wp-content/uploads)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


def missing_packages() -> list[str]:
    missing = []
    if not (WORDPRESS / "wp-settings.php").is_file():
        missing.append("wordpress")
    if not THEME.is_dir():
        missing.append("wordpress-theme-twentytwentythree")
    if not (shutil.which("mariadbd", path=_sbin_path()) and shutil.which("mariadb-install-db")):
        missing.append("mariadb-server-core")
    if not shutil.which("php"):
        missing.append("php-cli")
    elif subprocess.run(["php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"]).returncode:
        missing.append("php-mysql")
    return missing


def _sbin_path() -> str:
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _php_string(value: str | Path) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Group:
    """Processes started in process groups of their own, killed as groups."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path, **kwargs) -> subprocess.Popen:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent, **kwargs,
            )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):  # PHP first, then MariaDB
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left of the group (PHP's workers, a stuck mysqld).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def _wait_for(what: str, ready, proc: subprocess.Popen, log: Path, deadline: float) -> None:
    while not ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start in {START_TIMEOUT:.0f} s:\n{_tail(log)}")
        time.sleep(0.05)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _socket_answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
            return True
        except OSError:
            return False


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


MY_CNF = """\
[mysqld]
datadir = {datadir}
socket = {socket}
pid-file = {folder}/mariadb.pid
log-error = {folder}/mariadb.log
skip-networking
skip-name-resolve
skip-log-bin
innodb-buffer-pool-size = 32M
innodb-log-file-size = 16M
innodb-flush-log-at-trx-commit = 0
innodb-doublewrite = 0
performance-schema = 0
"""

INIT_SQL = """\
CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'wordpress'@'localhost' IDENTIFIED BY '{password}';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';
"""

WP_CONFIG = """\
<?php
/* A test site's configuration: Debian's WordPress, a private MariaDB on a unix socket. */
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', {db_password});
define('DB_HOST', {db_host});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', {docroot});
define('WP_HOME', {base_url});
define('WP_SITEURL', {base_url});
define('WP_CONTENT_DIR', ABSPATH . 'wp-content');
define('WP_CONTENT_URL', {base_url} . '/wp-content');
/* Application passwords over plain HTTP: allowed for the 'local' environment type. */
define('WP_ENVIRONMENT_TYPE', 'local');
/* Offline and quiet: no calls to wordpress.org, no cron, no updates, no e-mail (mu-plugin). */
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('FS_METHOD', 'direct');
define('WP_DEBUG', false);
require_once ABSPATH . 'wp-settings.php';
"""

MU_PLUGIN = """\
<?php
/* Test site only: no e-mail, and pretty permalinks under PHP's built-in server. */
add_filter('pre_wp_mail', '__return_false');
add_filter('got_url_rewrite', '__return_true');
"""

ROUTER = """\
<?php
/* PHP's built-in server: the file asked for if it exists, else WordPress's front controller. */
define('ABSPATH', {docroot});
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (strpos($path, '..') !== false) {{ http_response_code(400); return true; }}
$file = ABSPATH . ltrim($path, '/');
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {{
    $file = rtrim($file, '/') . '/index.php';
    $path = rtrim($path, '/') . '/index.php';
}}
if (is_file($file) && substr($file, -4) !== '.php') {{
    return false;  /* static: served by the built-in server */
}}
if (!is_file($file)) {{
    $file = ABSPATH . 'index.php';
    $path = '/index.php';
}}
$_SERVER['SCRIPT_FILENAME'] = $file;
$_SERVER['SCRIPT_NAME'] = $path;
$_SERVER['PHP_SELF'] = $path;
chdir(dirname($file));
require $file;
return true;
"""

INSTALL = """\
<?php
/* Installs the test site from the command line; prints the editor's application password. */
define('ABSPATH', {docroot});
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = {host};
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$installed = wp_install('Decision papers (test site)', 'admin', 'admin@example.invalid', false, '',
                        wp_generate_password(32, false));
update_option('permalink_structure', '/%postname%/');
$editor = wp_insert_user(array(
    'user_login' => {user},
    'user_pass' => wp_generate_password(32, false),
    'user_email' => {user} . '@example.invalid',
    'display_name' => {display_name},
    'role' => 'editor',
));
if (is_wp_error($editor)) {{ fwrite(STDERR, $editor->get_error_message()); exit(1); }}
$created = WP_Application_Passwords::create_new_application_password($editor, array('name' => 'tests'));
if (is_wp_error($created)) {{ fwrite(STDERR, $created->get_error_message()); exit(1); }}
echo json_encode(array('user_id' => $editor, 'password' => $created[0]));
"""

USER = "publisher"
DISPLAY_NAME = "Governance Officer"


def _salts() -> str:
    names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
             "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]
    return "\n".join(f"define('{n}', '{secrets.token_hex(32)}');" for n in names)


def _docroot(folder: Path, config: str) -> Path:
    """Links to Debian's WordPress, with our wp-config.php and a writable wp-content."""
    www = folder / "www"
    www.mkdir()
    for entry in WORDPRESS.iterdir():
        if entry.name not in {"wp-config.php", "wp-content", ".htaccess"}:
            (www / entry.name).symlink_to(entry)
    content = www / "wp-content"
    for sub in ("uploads", "mu-plugins", "upgrade"):
        (content / sub).mkdir(parents=True)
    (content / "themes").symlink_to(WORDPRESS / "wp-content" / "themes")
    (content / "plugins").symlink_to(WORDPRESS / "wp-content" / "plugins")
    (content / "mu-plugins" / "test-site.php").write_text(MU_PLUGIN)
    (www / "wp-config.php").write_text(config)
    return www


@contextlib.contextmanager
def running_wordpress() -> Iterator[WordPress]:
    """Start a test WordPress in a temporary folder; stop it and remove the folder afterwards."""
    missing = missing_packages()
    if missing:
        raise WordPressUnavailable(
            "the test WordPress needs system packages that are missing: " + " ".join(missing)
            + f"\n  install them as root (`make test` does): apt-get install --no-install-recommends {PACKAGES}"
        )
    deadline = time.monotonic() + START_TIMEOUT
    # A short path: a unix socket's path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="wp-test-"))
    group = _Group()
    try:
        os.chmod(folder, 0o755)
        datadir, sock = folder / "db", folder / "mysql.sock"
        cnf = folder / "my.cnf"
        cnf.write_text(MY_CNF.format(datadir=datadir, socket=sock, folder=folder))
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        db_password = secrets.token_hex(16)
        (folder / "init.sql").write_text(INIT_SQL.format(password=db_password))

        install_db = subprocess.run(
            ["mariadb-install-db", f"--defaults-file={cnf}", "--auth-root-authentication-method=socket",
             "--skip-test-db", *as_root],
            capture_output=True, text=True, timeout=START_TIMEOUT,
        )
        if install_db.returncode:
            raise RuntimeError(f"mariadb-install-db failed:\n{install_db.stdout}\n{install_db.stderr}")
        mariadbd = shutil.which("mariadbd", path=_sbin_path())
        db_log = folder / "mariadb.log"
        db = group.start([mariadbd, f"--defaults-file={cnf}", f"--init-file={folder / 'init.sql'}", *as_root],
                         db_log)
        _wait_for("MariaDB", lambda: _socket_answers(sock), db, db_log, deadline)

        port = _free_port()
        host = f"127.0.0.1:{port}"
        base_url = f"http://{host}"
        docroot = _docroot(folder, WP_CONFIG.format(
            db_password=_php_string(db_password), db_host=_php_string(f"localhost:{sock}"),
            salts=_salts(), docroot=_php_string(f"{folder / 'www'}/"), base_url=_php_string(base_url),
        ))
        (folder / "router.php").write_text(ROUTER.format(docroot=_php_string(f"{docroot}/")))
        (folder / "install.php").write_text(INSTALL.format(
            docroot=_php_string(f"{docroot}/"), host=_php_string(host),
            user=_php_string(USER), display_name=_php_string(DISPLAY_NAME),
        ))
        install = subprocess.run(["php", str(folder / "install.php")], capture_output=True, text=True,
                                 timeout=max(1.0, deadline - time.monotonic()), cwd=folder)
        if install.returncode:
            raise RuntimeError(f"WordPress's installation failed:\n{install.stdout}\n{install.stderr}")
        installed = json.loads(install.stdout.strip().splitlines()[-1])

        php_log = folder / "php.log"
        # One process (no PHP_CLI_SERVER_WORKERS): forked workers would not get the parent-death signal.
        env = {k: v for k, v in os.environ.items() if k != "PHP_CLI_SERVER_WORKERS"}
        php = group.start(["php", "-S", host, "-t", str(docroot), str(folder / "router.php")], php_log,
                          cwd=folder, env=env)
        _wait_for("PHP's server", lambda: _http_ok(f"{base_url}/wp-json/"), php, php_log, deadline)
        yield WordPress(base_url=base_url, user=USER, password=installed["password"], folder=folder)
    finally:
        group.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":  # python -m tests.wordpress_server: start one and keep it up until ^C
    started = time.monotonic()
    with running_wordpress() as site:
        print(f"{site.base_url} user={site.user} password={site.password!r} "
              f"(started in {time.monotonic() - started:.1f} s; ^C stops it)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
