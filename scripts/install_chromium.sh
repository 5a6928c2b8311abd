#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright; never a downloaded browser.
# Pango (which Chromium also needs) lets WeasyPrint write the funding PDF statements.
set -euo pipefail
if [[ -x /usr/bin/chromium ]] && ldconfig -p | grep -q libpangoft2-1.0; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "Installation de Chromium (paquet Debian) pour les tests dans le navigateur…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  exit 0
fi
cat >&2 <<'MSG'
Les tests dans le navigateur ont besoin de Chromium (/usr/bin/chromium), absent ici.
Installez-le avec les droits d'administration, puis relancez make test :
    sudo apt-get install chromium
MSG
exit 1
