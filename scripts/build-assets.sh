#!/usr/bin/env bash
# Copy the npm front-end packages into build/static for Django's staticfiles. The precompiled
# GOV.UK and MoJ CSS refer to /assets/...; rewrite those to where Django serves each package.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/static
rm -rf "$out"
mkdir -p "$out/govuk" "$out/moj" "$out/vendor"
gov=node_modules/govuk-frontend/dist/govuk
moj=node_modules/@ministryofjustice/frontend/moj
cp -R "$gov/assets" "$out/govuk/assets"
sed 's#url(/assets/#url(/static/govuk/assets/#g' "$gov/govuk-frontend.min.css" > "$out/govuk/govuk-frontend.min.css"
cp "$gov/govuk-frontend.min.css.map" "$gov/govuk-frontend.min.js" "$gov/govuk-frontend.min.js.map" "$out/govuk/"
cp -R "$moj/assets" "$out/moj/assets"
sed 's#url(/assets/#url(/static/moj/assets/#g' "$moj/moj-frontend.min.css" > "$out/moj/moj-frontend.min.css"
for f in moj-frontend.min.css.map moj-frontend.min.js moj-frontend.min.js.map; do
  [ -f "$moj/$f" ] && cp "$moj/$f" "$out/moj/"
done
cp node_modules/htmx.org/dist/htmx.min.js "$out/vendor/htmx.min.js"
cp node_modules/axe-core/axe.min.js "$out/vendor/axe.min.js"
# Vega, Vega-Lite and vega-embed (UMD builds): the linkage review page's waterfall chart.
cp node_modules/vega/build/vega.min.js "$out/vendor/vega.min.js"
cp node_modules/vega-lite/build/vega-lite.min.js "$out/vendor/vega-lite.min.js"
cp node_modules/vega-embed/build/vega-embed.min.js "$out/vendor/vega-embed.min.js"
echo "front-end assets built into $out"
