// Command wizard is 公众号数据集成向导, the desktop setup wizard. With no
// configuration it runs in demo mode against a built-in WeChat simulator;
// -headless walks the same flow without a window and prints a JSON report.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"

	_ "oawizard/cmd/wizard/internal/clocale" // before Fyne reads the locale
	"oawizard/flow"
	"oawizard/flow/secret"
	"oawizard/flow/store"
	"oawizard/ui"
	"oawizard/version"
	"oawizard/wechat/wechatsim"
)

func main() {
	os.Exit(run())
}

func run() int {
	headless := flag.Bool("headless", false, "run the whole flow without a window (against the demo stack, or -connector) and print a JSON report")
	scenario := flag.String("scenario", "ok", "demo scenario: "+fmt.Sprint(wechatsim.Scenarios()))
	sdkExport := flag.String("sdk-export", "", "analytics export of identified users to verify in step 2 (headless)")
	sheet := flag.String("sheet", "", "headless: the workbook sheet of -sdk-export to read, when more than one holds ids")
	dataDir := flag.String("data", "", "folder for the wizard's database (default: the user's config folder; headless: a temporary one)")
	followers := flag.Int("followers", 0, "demo: the Official Account's follower count (default: the scenario's)")
	workers := flag.Int("workers", 0, "sync: concurrent WeChat calls (default 8)")
	language := flag.String("lang", "", "language: zh-Hans or en (default: saved choice, else the system's)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	demoExport := flag.String("demo-export", "", "write the scenario's sample analytics export (CSV) to this file and exit")
	connectorURL := flag.String("connector", "", "headless: run against this connector instead of the demo stack; token from "+EnvToken+", else the keychain entry Settings saved")
	appID := flag.String("appid", "", "headless with -connector: the Official Account's AppID")
	mpAppID := flag.String("mp-appid", "", "headless with -connector: the mini-program's AppID, authorized by a second scan (optional)")
	flag.Parse()
	if *showVersion {
		fmt.Println("wizard", version.String())
		return 0
	}
	if err := checkCounts(*followers, *workers); err != nil {
		return usageError(os.Stderr, *headless, err)
	}
	if !wechatsim.KnownScenario(*scenario) {
		fmt.Fprintf(os.Stderr, "wizard: unknown scenario %q; known: %v\n", *scenario, wechatsim.Scenarios())
		return exitError
	}
	if *demoExport != "" {
		if err := writeDemoExport(*scenario, *followers, *demoExport); err != nil {
			fmt.Fprintln(os.Stderr, "wizard:", err)
			return exitError
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var forward <-chan struct{}
	if !*headless || *dataDir != "" {
		lock, code := holdOrRefuse(*dataDir, *language, *headless)
		if lock == nil {
			return code
		}
		defer lock.Release()
		if !*headless {
			forward = serveForward(lock, os.Stderr)
		}
	}
	if *headless && *connectorURL != "" {
		var mps []string
		if *mpAppID != "" {
			mps = []string{*mpAppID}
		}
		return runHeadlessReal(ctx, realOptions{Connector: *connectorURL, AppID: *appID, MPAppIDs: mps, DataDir: *dataDir,
			Workers: *workers, SDKExport: *sdkExport, Sheet: *sheet}, os.Stdout, os.Stderr)
	}
	if *headless {
		return runHeadless(ctx, headlessOptions{Scenario: *scenario, SDKExport: *sdkExport, Sheet: *sheet, DataDir: *dataDir,
			Followers: *followers, Workers: *workers}, os.Stdout, os.Stderr)
	}

	path, err := dbPath(*dataDir)
	if err == nil {
		var db *store.DB
		if db, err = store.Open(path); err == nil {
			defer db.Close()
			choice := *language
			if choice == "" {
				if choice, err = flow.SavedLanguage(ctx, db); err != nil {
					fmt.Fprintln(os.Stderr, "wizard:", err)
					return exitError
				}
			}
			ui.SetupLanguage(choice)
			keychain := secret.Keyring(secret.Service)
			err = ui.Run(ui.Options{Home: flow.NewHome(db, keychain, nil), StartDemo: demoStarter(*followers, filepath.Dir(path), keychain, slog.New(slog.NewTextHandler(io.Discard, nil))),
				Scenarios: scenarios(), Scenario: setFlag("scenario"), Version: version.String(), Forward: forward})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wizard:", err)
		return exitError
	}
	return 0
}

func dbPath(dir string) (string, error) {
	if dir == "" {
		return store.DefaultPath()
	}
	if err := privateDir(dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, "wizard.db"), nil
}
