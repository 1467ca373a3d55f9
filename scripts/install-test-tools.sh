#!/usr/bin/env bash
# Installs the programs three tests drive, from the Debian packages: headless Chromium (DeliveryPageBrowserTest, the
# delivery page in a real browser), promtool of the prometheus package (PrometheusRulesTest, the shipped Prometheus
# rules) and strace (FolderSyncTraceTest, the folder syncs before an answer or a commit). Where it cannot (not Debian,
# not root, no package registry), it says so and those tests are skipped with a message.
set -uo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || packages+=(chromium)
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
command -v strace >/dev/null 2>&1 || packages+=(strace)
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != "0" ]; then
    echo "install-test-tools: no apt-get or not root; the tests that need ${packages[*]} will be skipped"
    exit 0
fi
echo "install-test-tools: installing ${packages[*]} from the Debian packages for the browser, Prometheus rules and folder sync tests"
apt-get update -qq >/dev/null 2>&1
for package in "${packages[@]}"; do
    # the prometheus package brings promtool; its server is not started (no init system runs here)
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; then
        echo "install-test-tools: $package could not be installed; the tests that need it will be skipped"
    fi
done
exit 0
