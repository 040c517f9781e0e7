// Package loopback is demo mode's stand-in stack: the WeChat simulator and
// a connector on this machine, wired once for the wizard's window (through
// demostack), `connector serve --simulate` and the tests. The production
// connector does not depend on it, nor on the simulator.
package loopback

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"oawizard/clock"
	"oawizard/connector"
	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// Demo is a complete stand-in stack on loopback: the WeChat simulator and a
// connector it pushes to, with a project token. `connector serve --simulate`
// and the wizard's demo mode run on it.
type Demo struct {
	Sim          *wechatsim.Server
	Connector    *connector.Server
	Store        *connector.SQLStore
	URL          string // the connector's base URL, as phones and browsers reach it
	LocalURL     string // the connector's address from this machine (loopback when it listens there)
	SimURL       string // the simulator's base URL (its authorization pages)
	ProjectToken string
	Scenario     wechatsim.ScenarioInfo
	// Restored: the simulator continued from the state at StatePath.
	Restored bool
	// Refused lists the accounts whose kept authorization the restored
	// simulator no longer honours; they need a new scan.
	Refused []string

	http    *http.Server
	saver   *stateSaver
	tempDir string
}

// Options configure Start.
type Options struct {
	Scenario  string
	StorePath string // "" = a temporary file removed on Close
	Clock     clock.Clock
	Logger    *slog.Logger // nil = discard
	Followers int
	Latency   time.Duration
	Listen    string // connector address; "" = 127.0.0.1:0
	// SimListen is the simulator's address; "" = a free port on the
	// connector's host.
	SimListen string
	// PublicURL is the connector's address as phones and browsers reach
	// it; "" = the listener's, or this machine's network address when
	// listening on all interfaces. The simulator's pages use its host.
	PublicURL string
	// ProjectToken, when set, is the demo project's token (kept across
	// restarts); otherwise a new one replaces the previous demo token.
	ProjectToken string
	// StoreKey seals the tokens in the store. A restart continues only
	// with the same key, so the caller keeps it out of files (the wizard:
	// in the OS keychain); "" = a new key each start.
	StoreKey string
	// StatePath is where the simulator's state is kept, beside the store:
	// loaded at start, saved when it changes and at Close. "" = the
	// simulator starts afresh. A state that cannot be used fails Start
	// with ErrDemoState.
	StatePath string
	// Retention, TrustedProxies, PublicRateLimit, PublicRateBurst and
	// ReleaseState are the connector's own (connector.Config); zero = its defaults.
	Retention       time.Duration
	TrustedProxies  []netip.Prefix
	PublicRateLimit float64
	PublicRateBurst int
	ReleaseState    string
	// Support is the connector's support contact; zero = SampleSupport,
	// so staff training on the demo see where the contact shows.
	Support api.Support
}

// SampleSupport is the demo's support contact: plainly a sample.
var SampleSupport = api.Support{Name: "演示客服 Demo Support", Phone: "demo-support", URL: "https://support.example.com/oawizard"}

// Start starts the simulator and a connector and waits until the first
// ticket has arrived, so the demo never waits ten minutes for WeChat.
func Start(ctx context.Context, opts Options) (*Demo, error) {
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
	d := &Demo{}
	comp, err := d.prepareSim(opts, l.Addr(), logger)
	if err != nil {
		l.Close()
		return nil, err
	}
	if opts.StatePath != "" {
		if err := d.restoreSim(opts.StatePath); err != nil {
			d.closeParts(l)
			return nil, err
		}
	}
	if err := d.openStore(opts.StorePath); err != nil {
		d.closeParts(l)
		return nil, err
	}
	storeKey := opts.StoreKey
	if storeKey == "" {
		storeKey = randomHex(24)
	}
	d.Connector, err = connector.New(connector.Config{
		PublicURL: d.URL, APIBase: "http://" + loopbackAddr(d.Sim.Addr()), OpenBase: d.Sim.URL, MPBase: d.Sim.URL,
		ComponentAppID: comp.AppID,
		Secrets:        connector.Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: storeKey},
		// The demo also asks for 开放平台账号管理 so open/get can show the
		// binding; a real deployment asks for it only when configured.
		PermissionSets: []int{2, 3, 24},
		Clock:          opts.Clock, Logger: logger, RateLimit: -1, Demo: true,
		Retention: opts.Retention, TrustedProxies: opts.TrustedProxies, PublicRateLimit: opts.PublicRateLimit,
		PublicRateBurst: opts.PublicRateBurst, ReleaseState: opts.ReleaseState, Support: cmp.Or(opts.Support, SampleSupport),
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: demoTransport()},
	}, d.Store)
	if err != nil {
		d.closeParts(l)
		return nil, err
	}
	d.http = &http.Server{Handler: d.Connector.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go d.http.Serve(l)
	started := clock.Or(opts.Clock).Now()
	d.Sim.Start()
	if err := d.waitTicket(ctx, started); err != nil {
		d.Close()
		return nil, err
	}
	if d.ProjectToken, err = demoToken(ctx, d.Store, opts.ProjectToken, time.Now()); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.keepState(ctx, opts, logger); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// keepState checks a restored demo's authorizations and starts saving the
// simulator's state.
func (d *Demo) keepState(ctx context.Context, opts Options, logger *slog.Logger) error {
	if d.Restored {
		if err := d.checkKept(ctx, logger); err != nil {
			return err
		}
	}
	if opts.StatePath == "" {
		return nil
	}
	var err error
	d.saver, err = startSaver(d.Sim, opts.StatePath, logger)
	return err
}

// openStore opens the demo's store: the file given, else a temporary one.
func (d *Demo) openStore(path string) error {
	if path == "" {
		var err error
		if d.tempDir, err = os.MkdirTemp("", "oawizard-demo-"); err != nil {
			return err
		}
		path = filepath.Join(d.tempDir, "connector.db")
	}
	var err error
	if d.Store, err = connector.OpenStore(path); err != nil && d.Restored {
		// The simulator's state is of no use without the store beside it.
		return fmt.Errorf("%w: %w", ErrDemoState, err)
	}
	return err
}

// landingOf is where 取消 on the simulator's page takes a browser: the
// landing page of the session named in redirect_uri, as the back button
// would in WeChat. The connector's pages send only their origin as
// Referer, so the simulator cannot know it otherwise.
func (d *Demo) landingOf(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil || d.Store == nil {
		return ""
	}
	x, err := d.Store.Session(context.Background(), u.Query().Get("s"))
	if err != nil || x.Code == "" {
		return ""
	}
	return d.URL + "/a/" + x.Code
}

// demoProject is the project name the demo's token is filed under.
const demoProject = "demo"

// demoToken makes sure exactly one demo project token is usable: want when
// given (kept across restarts, registered on first use), else a new one.
// Every other demo token is revoked, so restarts do not pile up live
// tokens; only hashes are stored, so an old token cannot be shown again.
func demoToken(ctx context.Context, st connector.Store, want string, now time.Time) (string, error) {
	tok := want
	if tok != "" {
		if len(tok) < 20 {
			return "", errors.New("connector: the demo project token must be at least 20 characters")
		}
		p, err := st.ProjectTokenByHash(ctx, connector.HashToken(tok))
		switch {
		case errors.Is(err, connector.ErrNotFound):
			err = st.CreateProjectToken(ctx, connector.ProjectToken{ID: "pt_" + randomHex(6), Project: demoProject, Hash: connector.HashToken(tok), CreatedAt: now})
		case err == nil && (p.Project != demoProject || !p.RevokedAt.IsZero()):
			err = errors.New("connector: the demo project token given is revoked or belongs to another project")
		}
		if err != nil {
			return "", err
		}
	} else {
		var err error
		if tok, err = connector.CreateProjectToken(ctx, st, demoProject, now); err != nil {
			return "", err
		}
	}
	all, err := st.ProjectTokens(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range all {
		if p.Project == demoProject && p.RevokedAt.IsZero() && p.Hash != connector.HashToken(tok) {
			if err := st.RevokeProjectToken(ctx, p.ID, now); err != nil && !errors.Is(err, connector.ErrNotFound) {
				return "", err
			}
		}
	}
	return tok, nil
}

// prepareSim names the demo's addresses and prepares the simulator on
// them: its pages on the host phones reach the connector by, its pushes to
// the connector over loopback.
func (d *Demo) prepareSim(opts Options, conn net.Addr, logger *slog.Logger) (wechatsim.Component, error) {
	comp := wechatsim.DemoComponent()
	var err error
	if d.URL, err = advertisedURL(opts.PublicURL, conn); err != nil {
		return comp, err
	}
	d.LocalURL = "http://" + loopbackAddr(conn.String())
	pub, _ := url.Parse(d.URL)
	simAddr := opts.SimListen
	if simAddr == "" {
		host, _, _ := net.SplitHostPort(conn.String())
		simAddr = net.JoinHostPort(host, "0")
	}
	// The simulator pushes from this machine, so loopback always reaches.
	comp.PushURL = d.LocalURL + "/wechat/events"
	comp.AuthDomain = pub.Hostname()
	d.Sim, err = wechatsim.Prepare(wechatsim.Options{Scenario: opts.Scenario, Clock: opts.Clock, Components: []wechatsim.Component{comp},
		Followers: opts.Followers, Latency: opts.Latency, Logf: func(f string, a ...any) { logger.Info(fmt.Sprintf(f, a...)) },
		Listen: simAddr, PublicHost: pub.Hostname(), BrowserAuth: true, BackURL: d.landingOf})
	if err != nil {
		return comp, err
	}
	d.SimURL = d.Sim.URL
	d.Scenario = d.Sim.Scenario()
	return comp, nil
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

// closeParts stops the simulator, saves its final state and closes the
// store; it reports a state that could not be saved.
func (d *Demo) closeParts(l net.Listener) error {
	if l != nil {
		l.Close()
	}
	if d.Sim != nil {
		d.Sim.Close()
	}
	var err error
	if d.saver != nil {
		err = d.saver.close()
		d.saver = nil
	}
	if d.Store != nil {
		d.Store.Close()
	}
	if d.tempDir != "" {
		os.RemoveAll(d.tempDir)
	}
	return err
}

// Close stops everything, saves the simulator's state where it is kept and
// removes a temporary store.
func (d *Demo) Close() error {
	if d.http != nil {
		// Requests in flight get a moment to finish. A connection a client
		// opened but never used counts as busy for five seconds, which
		// held every close (and so every restart) that long: what is left
		// after the moment is cut.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if d.http.Shutdown(ctx) != nil {
			d.http.Close()
		}
		cancel()
	}
	if d.Connector != nil {
		d.Connector.Close()
	}
	return d.closeParts(nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// demoTransport reads the simulator's answers, large pages on loopback, in
// bigger gulps than a real deployment needs.
func demoTransport() *http.Transport {
	t := connector.WeChatTransport()
	t.IdleConnTimeout = time.Minute
	t.ReadBufferSize = 64 << 10
	return t
}
