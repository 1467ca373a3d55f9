#!/usr/bin/env bash
# Installs headless Chromium from the Debian packages for the delivery page's browser test (DeliveryPageBrowserTest).
# Where it cannot (not Debian, not root, no package registry), it says so and the test is skipped with a message.
set -uo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != "0" ]; then
    echo "install-chromium: no apt-get or not root; the delivery page's browser test will be skipped"
    exit 0
fi
echo "install-chromium: installing chromium from the Debian packages for the delivery page's browser test"
if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
        >/dev/null 2>&1); then
    echo "install-chromium: chromium could not be installed; the delivery page's browser test will be skipped"
fi
exit 0
