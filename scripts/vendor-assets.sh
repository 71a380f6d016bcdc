#!/usr/bin/env bash
# Rebuilds crates/custodian-server/static/vendor/ from pinned npm packages.
#
# Run it by hand after changing a version below, then commit the result: the
# build and the tests use the committed files and never reach npm.
#
# What it ships, and nothing more:
#   custodian.css          scss/custodian.scss compiled with GOV.UK Frontend and
#                          MOJ Frontend, system fonts instead of GDS Transport
#   govuk-frontend.min.js  GOV.UK Frontend's ES module bundle
#   moj-frontend.min.js    MOJ Frontend's ES module bundle
#   htmx.min.js            htmx 2.0 (not 4.x, whose swapping rules differ)
#   images/                the images custodian.css refers to
#   VERSIONS               versions, licences and SHA-256 of every file above
set -euo pipefail

GOVUK_FRONTEND_VERSION=6.6.0
MOJ_FRONTEND_VERSION=11.1.0
HTMX_VERSION=2.0.11
SASS_VERSION=1.108.2

# Referenced by custodian.css but deliberately not shipped: the royal crest
# used only by the GOV.UK footer's copyright logo, which Custodian never shows.
NOT_SHIPPED_IMAGES="govuk-crest.svg"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
server="$root/crates/custodian-server"
out="$server/static/vendor"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Installing pinned packages into $work" >&2
cd "$work"
printf '{"name":"custodian-vendor","private":true}\n' >package.json
# --legacy-peer-deps: MOJ Frontend names moment as a peer, which only its
# date filters for Nunjucks use; we need neither.
npm install --no-audit --no-fund --ignore-scripts --legacy-peer-deps --save-exact \
  "govuk-frontend@$GOVUK_FRONTEND_VERSION" \
  "@ministryofjustice/frontend@$MOJ_FRONTEND_VERSION" \
  "htmx.org@$HTMX_VERSION" \
  "sass@$SASS_VERSION" >&2

govuk="$work/node_modules/govuk-frontend/dist/govuk"
moj="$work/node_modules/@ministryofjustice/frontend/moj"
htmx="$work/node_modules/htmx.org/dist"

installed() { node -p "require('$work/node_modules/$1/package.json').version"; }
for pkg in govuk-frontend:$GOVUK_FRONTEND_VERSION @ministryofjustice/frontend:$MOJ_FRONTEND_VERSION \
  htmx.org:$HTMX_VERSION sass:$SASS_VERSION; do
  name=${pkg%:*} want=${pkg##*:} got=$(installed "${pkg%:*}")
  [[ "$got" == "$want" ]] || { echo "$name: wanted $want, npm installed $got" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/images"

echo "Compiling scss/custodian.scss" >&2
# Load paths: node_modules for our own @use lines, and the install folder
# itself because MOJ Frontend reaches GOV.UK Frontend as "node_modules/...".
# MOJ Frontend 11.1.0 uses a mixin that GOV.UK Frontend 6 deprecates and does
# not let its users silence that warning; the CSS is still correct.
"$work/node_modules/.bin/sass" --style=compressed --no-source-map --quiet-deps \
  --load-path="$work" --load-path="$work/node_modules" \
  "$server/scss/custodian.scss" "$out/custodian.css"

# The bundles end with a sourceMappingURL comment naming a map we do not ship.
strip_map() { sed -e 's|//# sourceMappingURL=[^ ]*$||' "$1" >"$2"; }
strip_map "$govuk/govuk-frontend.min.js" "$out/govuk-frontend.min.js"
strip_map "$moj/moj-frontend.min.js" "$out/moj-frontend.min.js"
cp "$htmx/htmx.min.js" "$out/htmx.min.js"

# Ship exactly the images that custodian.css refers to.
grep -o 'url([^)]*)' "$out/custodian.css" | sed -e 's/^url(//; s/)$//; s/"//g' | sort -u >"$work/urls"
while read -r url; do
  case "$url" in
    /static/vendor/images/*) name=${url#/static/vendor/images/} ;;
    *) echo "custodian.css refers to an unexpected URL: $url" >&2; exit 1 ;;
  esac
  if [[ " $NOT_SHIPPED_IMAGES " == *" $name "* ]]; then
    continue
  elif [[ -f "$moj/assets/images/$name" ]]; then
    cp "$moj/assets/images/$name" "$out/images/$name"
  elif [[ -f "$govuk/assets/images/$name" ]]; then
    cp "$govuk/assets/images/$name" "$out/images/$name"
  else
    echo "custodian.css refers to $name, which neither package ships" >&2
    exit 1
  fi
done <"$work/urls"

# No GDS Transport: neither the font name nor an @font-face may slip in.
if grep -q -e 'GDS Transport' -e '@font-face' "$out/custodian.css"; then
  echo "custodian.css still carries GDS Transport" >&2
  exit 1
fi

cd "$out"
{
  echo "# Front-end assets vendored by scripts/vendor-assets.sh; do not edit by hand."
  echo "# package                      version   licence"
  printf '%-30s %-9s %s\n' govuk-frontend "$GOVUK_FRONTEND_VERSION" MIT
  printf '%-30s %-9s %s\n' @ministryofjustice/frontend "$MOJ_FRONTEND_VERSION" MIT
  printf '%-30s %-9s %s\n' htmx.org "$HTMX_VERSION" 0BSD
  printf '%-30s %-9s %s\n' "sass (build only)" "$SASS_VERSION" MIT
  echo
  echo "# sha256 of each shipped file"
  find . -type f ! -name VERSIONS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum
} >"$work/VERSIONS"
mv "$work/VERSIONS" VERSIONS

echo "Vendored into $out:" >&2
du -ab "$out" | sort -k2 >&2
