#!/usr/bin/env bash
# One entry point for everything: ./build.sh [serve|test|build|dist|bench|setup|fmt|lint]
# Every command first runs `setup`, which installs what is missing and skips what is there,
# so the same script works on a fresh machine and on a warm one.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

TOOLCHAIN=nightly-2026-05-20
# Must equal the `wasm-bindgen` version pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

setup_rust() {
  if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1 \
    || ! rustup component list --toolchain "$TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src' \
    || ! rustup target list --toolchain "$TOOLCHAIN" --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown'; then
    log "installing Rust $TOOLCHAIN (rust-src, wasm32 target, rustfmt, clippy)"
    rustup toolchain install "$TOOLCHAIN" --profile minimal \
      --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown
  fi
}

setup_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
    || ! command -v wasm-bindgen-test-runner >/dev/null; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: the CLI's lock file pins webpki-roots 1.0.11, which the registry mirror here
    # lacks (../shared/TOOLCHAIN-FACTS.md). Built with the stable toolchain, outside the project,
    # so rust-toolchain.toml does not apply.
    (cd / && cargo +stable install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force)
  fi
}

# Installs Debian packages (as root, or through sudo); fails if the update or the install does.
apt_install() {
  local SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

setup_chromium() {
  if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
    log "installing Debian chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  # The end-to-end tests parse the page's Python programs with CPython (teach.test.mjs).
  if ! command -v python3 >/dev/null; then
    log "installing Debian python3"
    apt_install python3
  fi
}

# Firefox for the Rust browser tests: Debian's firefox-esr, and geckodriver built from
# crates.io with the stable toolchain, outside the project so rust-toolchain.toml does not apply.
GECKODRIVER_VERSION=0.37.1
setup_firefox() {
  if ! [ -x /usr/bin/firefox-esr ]; then
    log "installing Debian firefox-esr"
    apt_install firefox-esr || return 1
  fi
  if [[ "$(geckodriver --version 2>/dev/null || true)" != "geckodriver $GECKODRIVER_VERSION"* ]]; then
    log "installing geckodriver $GECKODRIVER_VERSION (about 3 minutes)"
    (cd / && cargo +stable install geckodriver --version "$GECKODRIVER_VERSION" --force) || return 1
  fi
}

# WebKitGTK for the end-to-end tests: Debian's webkit2gtk-driver (WebKitWebDriver, which drives
# the MiniBrowser of libwebkit2gtk-4.1) and xvfb, the X server it needs on a machine without one.
setup_webkit() {
  if ! command -v WebKitWebDriver >/dev/null || ! command -v Xvfb >/dev/null; then
    log "installing Debian webkit2gtk-driver and xvfb"
    apt_install webkit2gtk-driver xvfb || return 1
  fi
}

# The browser engines besides Chromium: env SKIP_ENGINES (e.g. "firefox,webkit") names those not
# to install and test; any other that cannot be installed fails the build, never skipped quietly.
skipped_engine() {
  local names=${SKIP_ENGINES:-}
  [[ " ${names//,/ } " == *" $1 "* ]]
}
setup_engines() {
  local engine
  for engine in firefox webkit; do
    if skipped_engine "$engine"; then
      log "not installing or testing $engine: SKIP_ENGINES names it"
    elif ! "setup_$engine"; then
      echo "build.sh: $engine could not be installed (see above); SKIP_ENGINES=$engine skips it on purpose" >&2
      exit 1
    fi
  done
}

setup_npm() {
  if ! [ -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# MkDocs with the Material theme, and Sphinx, for tests/e2e/docs.test.mjs: documentation sites built
# by the tools docs authors use, from the README's snippets. PyPI into a virtual environment under
# target/, every package pinned (tests/docs/requirements.txt); reinstalled only when that file
# changes (a copy of it in the venv says what is installed).
DOCS_VENV=target/docs-venv
setup_docs() {
  local req=tests/docs/requirements.txt
  if ! [ -x "$DOCS_VENV/bin/mkdocs" ] || ! [ -x "$DOCS_VENV/bin/sphinx-build" ] \
    || ! cmp -s "$req" "$DOCS_VENV/requirements.txt"; then
    log "installing MkDocs, Material and Sphinx (PyPI, pinned) into $DOCS_VENV"
    rm -rf "$DOCS_VENV"
    python3 -m venv "$DOCS_VENV"
    "$DOCS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$DOCS_VENV/requirements.txt"
  fi
}

# twiggy (crates.io) for the bench's breakdown of the wasm module's bytes; the bench reports
# "not installed" rather than failing without it.
TWIGGY_VERSION=0.7.0
setup_twiggy() {
  if [[ "$(twiggy --version 2>/dev/null || true)" != *"$TWIGGY_VERSION"* ]]; then
    log "installing twiggy $TWIGGY_VERSION (bench only)"
    (cd / && cargo +stable install twiggy --version "$TWIGGY_VERSION") ||
      log "warning: twiggy could not be installed; the bench leaves out the wasm breakdown"
  fi
}

setup() {
  setup_rust
  setup_wasm_bindgen
  setup_npm
}

# The threaded build needs atomics and a std rebuilt with them. On this nightly the linker no longer
# makes the memory shared and imported by itself, and wasm-bindgen then silently emits
# single-threaded glue ("not a shared typed array" at run time): the link args below ask for it,
# with a 2 GiB ceiling (ten million pending async tasks take about 400 MB, their record as much),
# and export the TLS symbols wasm-bindgen's thread support needs (../shared/TOOLCHAIN-FACTS.md).
MT_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals \
  -C link-arg=--shared-memory -C link-arg=--max-memory=2147483648 -C link-arg=--import-memory \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
BUILD_STD="-Z build-std=panic_abort,std"

# The release builds only (the tests keep panic messages): a panic aborts at once, without
# formatting a message and a source location that nothing shows (a trap on wasm prints nowhere;
# the page reports the trap itself). 15-17 KB less of the threaded module as sent (159 -> 144 KB
# at brotli 11), 10 % of it. Needs a std rebuilt with the same flag, for the plain build too.
RELEASE_RUSTFLAGS="-Z unstable-options -C panic=immediate-abort -Z location-detail=none"

# cargo for one of the two builds: `cargo_for mt|st <cargo args...>`, with EXTRA_RUSTFLAGS added
# when set. Each build has its own target dir, so switching flags never rebuilds the other one.
cargo_for() {
  local kind=$1 sub=$2; shift 2
  local extra=${EXTRA_RUSTFLAGS:-}
  if [ "$kind" = mt ]; then
    CARGO_TARGET_DIR=target/mt RUSTFLAGS="$MT_RUSTFLAGS $extra" cargo "$sub" --features threads $BUILD_STD "$@"
  elif [ -n "$extra" ]; then
    CARGO_TARGET_DIR=target/st RUSTFLAGS="$extra" cargo "$sub" $BUILD_STD "$@"
  else
    CARGO_TARGET_DIR=target/st RUSTFLAGS="" cargo "$sub" "$@"
  fi
}

# Builds www/pkg/{mt,st}: the threaded module for cross-origin-isolated pages and the plain one
# for every other page, picked at run time by www/engine.js.
build() {
  vendor
  contract
  release_files
  for kind in mt st; do
    log "building the ${kind} module"
    EXTRA_RUSTFLAGS=$RELEASE_RUSTFLAGS cargo_for "$kind" build --release --target wasm32-unknown-unknown --lib
    rm -rf "www/pkg/$kind"
    wasm-bindgen "target/$kind/wasm32-unknown-unknown/release/playground.wasm" \
      --target web --out-dir "www/pkg/$kind" --out-name playground
    # Debian's binaryen 108 miscompiles this module; the npm one works (TOOLCHAIN-FACTS.md).
    # Only small functions are inlined into their one caller (50 expressions, not wasm-opt's
    # default of any size): with no limit, everything a run can reach (every runner, the record,
    # its JS objects) became one 100 KB function, and Chromium compiles a wasm function whole on
    # its first call, on the calling thread. That put 10-15 ms between a fresh page's first
    # `run()` and its first task (threads: 15-28 ms; a second run took 1-2 ms). With the limit the
    # largest function is 18 KB, the first run starts its tasks in 7-11 ms (threads: 9-17 ms),
    # and the module is 9 KB smaller as sent (brotli 11: 147.2 -> 137.9 KB); a million async
    # tasks take as long. The producers and target-features sections are for tools (wasm-bindgen
    # has read them); the browser ignores them, so they are not sent.
    node_modules/.bin/wasm-opt -O3 --one-caller-inline-max-function-size=50 \
      --strip-producers --strip-target-features \
      --enable-threads --enable-bulk-memory --enable-mutable-globals \
      --enable-nontrapping-float-to-int --enable-sign-ext \
      "www/pkg/$kind/playground_bg.wasm" -o "www/pkg/$kind/playground_bg.wasm"
  done
  patch_worker_helper
}

# The contract's generated files: www/schema.js (every option, from which the page makes its
# form) and www/playground.d.ts (the public API's types), written by a native binary of the crate
# from the same Rust the engine checks options with.
contract() {
  log "writing the contract (www/schema.js, www/playground.d.ts)"
  cargo run --quiet --bin contract -- www
}

# Page libraries come from npm (package-lock.json pins them) and are copied next to the page:
# never loaded from a CDN.
vendor() {
  mkdir -p www/vendor
  cp node_modules/wasm-feature-detect/dist/esm/index.js www/vendor/wasm-feature-detect.js
  cp node_modules/wasm-feature-detect/dist/index.d.ts www/vendor/wasm-feature-detect.d.ts
  # highlight.js, its ES-module build, with the two languages the code panel shows.
  local hl=node_modules/@highlightjs/cdn-assets/es
  # Marked unchecked: the type check of the page's own JS follows its imports into them.
  for f in core:highlight python:highlight-python rust:highlight-rust; do
    local src=${f%%:*} dst=${f##*:} dir=$hl
    [ "$src" = core ] || dir=$hl/languages
    { echo "// @ts-nocheck"; cat "$dir/$src.min.js"; } > "www/vendor/$dst.js"
  done
  # Next to index.html, not in vendor/: a service worker's scope is its script's folder. A scope
  # has one worker, so the page's own parts come first: the offline cache (scripts/offline-sw.js),
  # which the next two fetch through, and the latency endpoint (scripts/latency-sw.js).
  { cat scripts/offline-sw.js; echo; cat scripts/latency-sw.js; echo
    cat node_modules/coi-serviceworker/coi-serviceworker.js; } > www/coi-serviceworker.js
  patch_coi_serviceworker
  # Their licences ship with them (BSD-3-Clause, Apache-2.0, MIT: the texts must travel with the
  # code), in one file the page's footer links to, next to the playground's own two.
  {
    echo "The playground (MIT OR Apache-2.0: LICENSE-MIT.txt, LICENSE-APACHE.txt next to this"
    echo "file) ships these libraries, copied from npm, under their own licences."
    local pkg
    for pkg in @highlightjs/cdn-assets wasm-feature-detect coi-serviceworker; do
      printf '\n==== %s %s (%s) ====\n\n' "$pkg" \
        "$(node -p "require('./node_modules/$pkg/package.json').version")" \
        "$(node -p "require('./node_modules/$pkg/package.json').license")"
      cat "node_modules/$pkg/LICENSE"
    done
  } > www/vendor/THIRD-PARTY-NOTICES.txt
  cp LICENSE-MIT www/vendor/LICENSE-MIT.txt
  cp LICENSE-APACHE www/vendor/LICENSE-APACHE.txt
}

# coi-serviceworker 0.1.7 adds COOP/COEP to every response, which isolates a top-level page but
# not an iframe inside an ordinary documentation page. One more header on the documents it serves,
# Document-Isolation-Policy, isolates that iframe too (Chromium 137+; ignored elsewhere). Fails
# loudly if the upstream file changes so the patch no longer applies.
patch_coi_serviceworker() {
  local f=www/coi-serviceworker.js
  sed -i 's|^\( *\)newHeaders.set("Cross-Origin-Opener-Policy", "same-origin");|&\n\1if (r.mode === "navigate") newHeaders.set("Document-Isolation-Policy", coepCredentialless ? "isolate-and-credentialless" : "isolate-and-require-corp");|' "$f"
  # Its requests go through the offline cache (scripts/offline-sw.js), whose answers, from the
  # network or the cache, then get the headers above: a page loaded offline stays isolated.
  sed -i 's|^\( *\)fetch(request)$|\1playgroundOffline.fetch(request)|' "$f"
  if ! grep -q 'newHeaders.set("Document-Isolation-Policy"' "$f" ||
    ! grep -q '^ *playgroundOffline.fetch(request)$' "$f"; then
    echo "build.sh: coi-serviceworker changed; review patch_coi_serviceworker" >&2
    exit 1
  fi
}

# version.js (the crate's version, for the footer and embed.js) and oembed.json, next to the page.
# PUBLIC_URL, when set, is the page's public address, which oembed.json's iframe needs.
release_files() {
  node scripts/release.mjs www
}

# dist/: the page as a static folder for any host, from any sub-path: every URL in it
# is relative and nothing is fetched from another origin. www/ as built, its modules bundled and
# minified by scripts/dist.mjs (esbuild): what the tests and the bench run.
dist() {
  log "writing dist/"
  node scripts/dist.mjs www dist
}

# Two patches to wasm-bindgen-rayon 1.3's no-bundler worker helper, applied to the built copy:
# 1. It calls the init function with positional arguments, which the current wasm-bindgen glue
#    still accepts but warns about in every worker ("using deprecated parameters for the
#    initialization function"): pass the object form instead (the page and its workers log nothing).
# 2. A worker thread that traps (a panic aborts on wasm) throws out of `wbg_rayon_start_worker`,
#    and the page reports an uncaught error. Catch it in the worker: the run's watchdog
#    (src/runner/threads.rs) reports the dead thread to the user instead.
# Fails loudly if the upstream file changes so a patch no longer applies.
patch_worker_helper() {
  local f
  f=$(find www/pkg/mt/snippets -name 'workerHelpers.no-bundler.js')
  sed -i 's/pkg.default(data.module, data.memory)/pkg.default({ module_or_path: data.module, memory: data.memory })/' "$f"
  grep -q 'reported by the run' "$f" ||
    sed -i 's|pkg.wbg_rayon_start_worker(data.receiver);|try { pkg.wbg_rayon_start_worker(data.receiver); } catch { /* reported by the run */ }|' "$f"
  if ! grep -q 'module_or_path: data.module' "$f" || ! grep -q 'catch { /\* reported by the run' "$f"; then
    echo "build.sh: wasm-bindgen-rayon's worker helper changed; review patch_worker_helper" >&2
    exit 1
  fi
}

# Rust tests: the pure modules natively, then the runners in headless Chromium and Firefox for both
# builds (Firefox left out only when SKIP_ENGINES names it). The browsers' settings are in
# webdriver.json, which JSON leaves no room to explain: Firefox gets one connection per server
# there because wasm-bindgen-test-runner's server (tiny_http 0.12's TaskPool) can lose the wake-up
# for a connection that arrives while another is being handed to a waking thread. That connection
# then waits 5 s (a spare thread's timeout), or for good when only the pool's 4 permanent threads
# are up, all busy with kept-alive connections: Firefox opens several at once when the threaded
# tests' 8 workers import their modules, and the threaded suite stalled 5-25 s or hung there
# (the whole suite: 7 of 15 runs over 20 s here; with one connection none of 25 did, and the
# whole suite took 6.6-7.5 s in 10 of them).
test_rust() {
  log "Rust unit tests (native)"
  cargo test --quiet
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
  export WASM_BINDGEN_TEST_TIMEOUT=120
  local browsers=Chromium browser
  skipped_engine firefox || browsers="Chromium Firefox"
  for browser in $browsers; do
    for kind in st mt; do
      log "Rust tests in $browser (${kind} build)"
      (
        # One driver variable per run, or the runner may pick the other browser.
        unset CHROMEDRIVER GECKODRIVER SAFARIDRIVER
        if [ "$browser" = Firefox ]; then
          GECKODRIVER=$(command -v geckodriver)
          export GECKODRIVER
        else
          export CHROMEDRIVER=/usr/bin/chromedriver
        fi
        cargo_for "$kind" test --target wasm32-unknown-unknown --test web
      )
    done
  done
}

# End-to-end tests: Chromium through playwright-core, Firefox and WebKitGTK through WebDriver
# (tests/e2e/engines.test.mjs). WebKitGTK needs an X server: an Xvfb of its own when there is no
# DISPLAY. The count of tests per engine is printed last.
test_e2e() {
  log "end-to-end tests (Chromium, Firefox, WebKitGTK)"
  local xvfb_pid="" status=0 counts=target/e2e-per-engine.txt
  if ! skipped_engine webkit && [ -z "${DISPLAY:-}" ]; then
    local fifo
    fifo=$(mktemp -u) && mkfifo "$fifo"
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
    xvfb_pid=$!
    # Xvfb writes its display number once it accepts clients.
    DISPLAY=":$(head -n1 <"$fifo")"
    rm -f "$fifo"
    export DISPLAY
  fi
  mkdir -p target
  node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./tests/e2e/per-engine-reporter.mjs --test-reporter-destination="$counts" \
    tests/e2e/ || status=$?
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid"
  log "end-to-end tests per engine"
  cat "$counts" >&2
  return "$status"
}

# Formatting and lints: cargo fmt, clippy (native and both wasm builds), prettier for JS/CSS/HTML.
lint() {
  log "checking formatting and lints"
  cargo fmt --check
  cargo clippy --quiet --all-targets -- -D warnings
  for kind in st mt; do
    cargo_for "$kind" clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
  done
  node_modules/.bin/prettier --check . >/dev/null
  # The page's JS and a consumer of the API, type-checked against the generated playground.d.ts:
  # a renamed option or record field fails here.
  contract
  node_modules/.bin/tsc -p tsconfig.json
}

case "${1:-}" in
  build) setup; build ;;
  lint) setup; lint ;;
  fmt)
    setup
    cargo fmt
    node_modules/.bin/prettier --write . >/dev/null
    ;;
  test)
    setup
    setup_chromium
    setup_engines
    setup_docs
    build
    dist
    lint
    test_rust
    test_e2e
    ;;
  serve)
    setup
    build
    log "serving on http://127.0.0.1:${PORT:-8000}/"
    exec node scripts/serve.mjs --root www --port "${PORT:-8000}"
    ;;
  dist) setup; build; dist ;;
  # The playground (dist/, as users get it) vs CPython vs Pyodide (bench/run.mjs wires
  # bench/*.mjs); writes bench/results.json, BENCHMARKS.md and www/bench-results.json (a few
  # minutes on 2 cores), which dist/ then takes in.
  bench) setup; setup_chromium; setup_twiggy; build; dist; node bench/run.mjs; dist ;;
  setup) setup; setup_chromium ;;
  *) echo "usage: $0 serve|test|build|dist|bench|setup|fmt|lint" >&2; exit 2 ;;
esac
