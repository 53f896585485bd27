#!/bin/sh
# Installs the system programs the engine runs: LibreOffice (docx -> PDF), the house fonts
# (Liberation Sans is metric-compatible with Arial, so layout does not shift when a paper is
# opened in Word), poppler-utils (pdftoppm, to look at rendered pages) and python3-uno (the
# system Python's bridge to LibreOffice: `decisions serve` keeps a LibreOffice warm through it).
# `sh tools/system-packages.sh test` adds what the tests need: Chromium (the register's
# accessibility tests) and npm (to install axe-core), and a WordPress for the publishing tests
# (tests/wordpress_server.py): Debian's wordpress and its default theme, PHP's command line with
# MySQL support, and mariadb-server-core (the server's programs only: the tests run a private
# server of their own, and no system-wide MariaDB service is installed or started).
set -eu
PACKAGES="libreoffice-writer-nogui fonts-liberation2 poppler-utils python3-uno"
missing=""
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
fc-list 2>/dev/null | grep -q "LiberationSans-Regular" || missing="$missing fonts-liberation2"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing="$missing python3-uno"
if [ "${1:-}" = "test" ]; then
    PACKAGES="$PACKAGES chromium npm wordpress wordpress-theme-twentytwentythree mariadb-server-core php-cli php-mysql"
    [ -x /usr/bin/chromium ] || missing="$missing chromium"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    [ -f /usr/share/wordpress/wp-settings.php ] || missing="$missing wordpress"
    [ -d /usr/share/wordpress/wp-content/themes/twentytwentythree ] || missing="$missing wordpress-theme-twentytwentythree"
    { [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null 2>&1; } || missing="$missing mariadb-server-core"
    command -v php >/dev/null 2>&1 || missing="$missing php-cli"
    php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' >/dev/null 2>&1 || missing="$missing php-mysql"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "error: missing system packages:$missing" >&2
    echo "       install them as root: apt-get install --no-install-recommends $PACKAGES" >&2
    exit 1
fi
