// Package e2e holds the two-process end-to-end test of real mode: the
// built connector binary serving a simulated WeChat, the built wizard
// binary in headless real mode against it, and the admin played from
// outside through the simulator's pages over HTTP, as a browser would.
// It needs the binaries, so it runs in its own step of scripts/test.sh:
//
//	go test -tags e2e ./e2e   (OAWIZARD_BIN_DIR=dir to use prebuilt binaries)
//
// Beside it, the staff console is driven in headless Chromium while a wizard
// scans (skipped without chromium unless OAWIZARD_REQUIRE_BROWSER is set;
// OAWIZARD_SHOTS=dir saves its screenshots as staff-*.png).
package e2e
