package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"oawizard/clock"
	"oawizard/wechat/wechatsim"
)

// Demo is a complete stand-in stack on loopback: the WeChat simulator and a
// connector it pushes to, with a project token. `connector serve --simulate`
// and the wizard's demo mode run on it.
type Demo struct {
	Sim          *wechatsim.Server
	Connector    *Server
	Store        *SQLStore
	URL          string // the connector's base URL
	ProjectToken string
	Scenario     wechatsim.ScenarioInfo

	http    *http.Server
	tempDir string
}

// DemoOptions configure StartDemo.
type DemoOptions struct {
	Scenario  string
	StorePath string // "" = a temporary file removed on Close
	Clock     clock.Clock
	Logger    *slog.Logger // nil = discard
	Followers int
	Latency   time.Duration
	Listen    string // connector address; "" = 127.0.0.1:0
}

// StartDemo starts the simulator and a connector and waits until the first
// ticket has arrived, so the demo never waits ten minutes for WeChat.
func StartDemo(ctx context.Context, opts DemoOptions) (*Demo, error) {
	if !wechatsim.KnownScenario(opts.Scenario) {
		return nil, fmt.Errorf("connector: unknown scenario %q (known: %v)", opts.Scenario, wechatsim.Scenarios())
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	addr := opts.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connector: demo listener: %w", err)
	}
	d := &Demo{URL: "http://" + l.Addr().String()}
	comp := wechatsim.DemoComponent()
	comp.PushURL = d.URL + "/wechat/events"
	comp.AuthDomain = "127.0.0.1"
	d.Sim = wechatsim.NewUnstarted(wechatsim.Options{Scenario: opts.Scenario, Clock: opts.Clock, Components: []wechatsim.Component{comp},
		Followers: opts.Followers, Latency: opts.Latency, Logf: func(f string, a ...any) { logger.Info(fmt.Sprintf(f, a...)) }})
	d.Scenario = d.Sim.Scenario()
	path := opts.StorePath
	if path == "" {
		if d.tempDir, err = os.MkdirTemp("", "oawizard-demo-"); err != nil {
			l.Close()
			d.Sim.Close()
			return nil, err
		}
		path = filepath.Join(d.tempDir, "connector.db")
	}
	if d.Store, err = OpenStore(path); err != nil {
		d.closeParts(l)
		return nil, err
	}
	d.Connector, err = New(Config{
		PublicURL: d.URL, APIBase: d.Sim.URL, OpenBase: d.Sim.URL, MPBase: d.Sim.URL,
		ComponentAppID: comp.AppID,
		Secrets:        Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: randomID(24)},
		// The demo also asks for 开放平台账号管理 so open/get can show the
		// binding; a real deployment asks for it only when configured.
		PermissionSets: []int{2, 3, 24},
		Clock:          opts.Clock, Logger: logger, RateLimit: -1, Demo: true,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}},
	}, d.Store)
	if err != nil {
		d.closeParts(l)
		return nil, err
	}
	d.http = &http.Server{Handler: d.Connector.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go d.http.Serve(l)
	started := d.Connector.cfg.Clock.Now()
	d.Sim.Start()
	if err := d.waitTicket(ctx, started); err != nil {
		d.Close()
		return nil, err
	}
	if d.ProjectToken, err = d.Connector.CreateProjectToken("demo"); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// waitTicket waits for a ticket pushed in this run: one a previous demo left
// in the store is sealed with that demo's key and cannot be opened.
func (d *Demo) waitTicket(ctx context.Context, since time.Time) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, at, err := d.Store.Ticket(ctx, wechatsim.DemoComponent().AppID); err == nil && !at.Before(since) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return errors.New("connector: the simulator's first ticket did not arrive")
}

// Phone is a WeChat user who administers the scenario's accounts, for the
// demo's 模拟手机扫码 button.
func (d *Demo) Phone() *wechatsim.Phone {
	return d.Sim.NewPhone(d.Scenario.OAAppID, d.Scenario.MPAppID)
}

func (d *Demo) closeParts(l net.Listener) {
	if l != nil {
		l.Close()
	}
	if d.Sim != nil {
		d.Sim.Close()
	}
	if d.Store != nil {
		d.Store.Close()
	}
	if d.tempDir != "" {
		os.RemoveAll(d.tempDir)
	}
}

// Close stops everything and removes a temporary store.
func (d *Demo) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if d.http != nil {
		d.http.Shutdown(ctx)
	}
	if d.Connector != nil {
		d.Connector.Close()
	}
	d.closeParts(nil)
	return nil
}
