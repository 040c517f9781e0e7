package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"oawizard/connector"
	"oawizard/demostack"
	"oawizard/demostack/loopback"
)

// serve --simulate keeps the simulated WeChat's state beside its database
// and the key that seals the database's tokens, so a restart continues
// where the last run stopped: a wizard mid-sync is not told the account
// withdrew an authorization that only the restart forgot.

// simStatePath is where the simulated WeChat's state is kept for the
// database at db; `connector status` takes a database with it for a demo.
func simStatePath(db string) string { return db + ".wechat-state.json" }

// simKeyPath keeps the store key of a simulation run without
// CONNECTOR_STORE_KEY. Everything it seals is simulated: no real token or
// secret is ever behind it.
func simKeyPath(db string) string { return db + ".demo-key" }

// simulateOnly are the flags serve --simulate honours; the others name a
// real platform and are refused rather than silently ignored.
var simulateOnly = map[string]bool{"simulate": true, "sim-listen": true, "sim-followers": true, "listen": true, "public-url": true,
	"db": true, "retention": true, "trusted-proxies": true, "public-rate": true, "public-burst": true, "release-state": true}

func refuseWithSimulate(fs *flag.FlagSet) error {
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		if !simulateOnly[f.Name] {
			bad = append(bad, "-"+f.Name)
		}
	})
	if len(bad) > 0 {
		return fmt.Errorf("-simulate runs its own WeChat and platform: %s cannot be used with it", strings.Join(bad, ", "))
	}
	return nil
}

// simulateServe runs the demo stack until ctx ends.
func simulateServe(ctx context.Context, opts loopback.Options, stderr io.Writer) error {
	d, err := startSimulation(ctx, opts)
	if err != nil {
		return err
	}
	defer d.Close()
	printSimulated(stderr, d)
	<-ctx.Done()
	return nil
}

// startSimulation starts the demo stack, continuing from the state a
// previous run kept beside opts.StorePath.
func startSimulation(ctx context.Context, opts loopback.Options) (*loopback.Demo, error) {
	if connector.IsPostgresURL(opts.StorePath) {
		// A shared database must not receive the simulator's accounts.
		return nil, errors.New("-simulate keeps its state in a SQLite file: give -db a file path, not a PostgreSQL address")
	}
	key, fresh, err := simStoreKey(opts.StorePath)
	if err != nil {
		return nil, err
	}
	if fresh || exists(opts.StorePath) != exists(simStatePath(opts.StorePath)) {
		// Without the key that sealed it, or without the other half, a
		// kept database cannot be continued from.
		if err := removeSimulation(opts.StorePath); err != nil {
			return nil, err
		}
	}
	opts.StoreKey, opts.StatePath = key, simStatePath(opts.StorePath)
	if opts.ProjectToken = os.Getenv(envDemoToken); opts.ProjectToken == "" {
		opts.ProjectToken = demostack.ProjectToken(key)
	}
	d, err := loopback.Start(ctx, opts)
	if errors.Is(err, loopback.ErrDemoState) {
		opts.Logger.Warn("the simulation starts afresh", "reason", err.Error())
		if err = removeSimulation(opts.StorePath); err == nil {
			d, err = loopback.Start(ctx, opts)
		}
	}
	if err == nil && d.Restored {
		opts.Logger.Info("the simulation continues from its kept state", "state", opts.StatePath, "refused", d.Refused)
	}
	return d, err
}

// simStoreKey is CONNECTOR_STORE_KEY, else the key kept beside the
// database (made now when there is none: fresh).
func simStoreKey(db string) (key string, fresh bool, err error) {
	if k := os.Getenv(connector.EnvStoreKey); k != "" {
		return k, false, nil
	}
	b, err := os.ReadFile(simKeyPath(db))
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	key = hex.EncodeToString(raw)
	return key, true, os.WriteFile(simKeyPath(db), []byte(key+"\n"), 0o600)
}

// removeSimulation deletes a kept simulation's database and WeChat state.
func removeSimulation(db string) error { return demostack.RemoveKept(db, simStatePath(db)) }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// envDemoToken names the simulated connector's project token; without it
// the token is derived from the store key, so it too survives a restart.
const envDemoToken = "CONNECTOR_DEMO_TOKEN"

// printSimulated tells the operator what to type into the wizard.
func printSimulated(w io.Writer, d *loopback.Demo) {
	keep := "重启后不变（由存储密钥派生）。\n    Kept across restarts (derived from the store key)."
	if os.Getenv(envDemoToken) != "" {
		keep = "来自 / from " + envDemoToken
	}
	fmt.Fprintf(w, `connector 模拟微信 / simulated WeChat, scenario %q (%s)
  向导“设置”里的服务器地址 / connector address for the wizard's Settings:  %s
  手机和浏览器访问的地址 / address phones and browsers open:  %s
  项目令牌 / project token:  %s
    %s
  公众号 AppID / Official Account AppID:  %s
  小程序 AppID / mini-program AppID:      %s
  模拟微信授权页 / simulator's authorization pages:  %s
    用浏览器或同一网络的手机打开向导的二维码链接即可授权。
    Open the wizard's QR link in a browser, or scan it with a phone on the same network.
`, d.Scenario.Name, d.Scenario.TitleEN, d.LocalURL, d.URL, d.ProjectToken, keep, d.Scenario.OAAppID, d.Scenario.MPAppID, d.SimURL)
}
