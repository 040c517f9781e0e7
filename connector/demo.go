package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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

// DemoOptions configure StartDemo.
type DemoOptions struct {
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
	// simulator starts afresh. A state that cannot be used fails StartDemo
	// with ErrDemoState.
	StatePath string
	// Retention, TrustedProxies, PublicRateLimit, PublicRateBurst and
	// ReleaseState are the connector's own (Config); zero = its defaults.
	Retention       time.Duration
	TrustedProxies  []netip.Prefix
	PublicRateLimit float64
	PublicRateBurst int
	ReleaseState    string
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
		storeKey = randomID(24)
	}
	d.Connector, err = New(Config{
		PublicURL: d.URL, APIBase: "http://" + loopbackAddr(d.Sim.Addr()), OpenBase: d.Sim.URL, MPBase: d.Sim.URL,
		ComponentAppID: comp.AppID,
		Secrets:        Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: storeKey},
		// The demo also asks for 开放平台账号管理 so open/get can show the
		// binding; a real deployment asks for it only when configured.
		PermissionSets: []int{2, 3, 24},
		Clock:          opts.Clock, Logger: logger, RateLimit: -1, Demo: true,
		Retention: opts.Retention, TrustedProxies: opts.TrustedProxies, PublicRateLimit: opts.PublicRateLimit,
		PublicRateBurst: opts.PublicRateBurst, ReleaseState: opts.ReleaseState,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: demoTransport()},
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
func (d *Demo) keepState(ctx context.Context, opts DemoOptions, logger *slog.Logger) error {
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
	if d.Store, err = OpenStore(path); err != nil && d.Restored {
		// The simulator's state is of no use without the store beside it.
		return fmt.Errorf("%w: %w", ErrDemoState, err)
	}
	return err
}

// advertisedURL is the connector's address for phones and browsers: the
// one given, else the listener's, with this machine's network address in
// place of an unspecified one (0.0.0.0 names no host a phone can open).
func advertisedURL(public string, addr net.Addr) (string, error) {
	if public != "" {
		u, err := url.Parse(public)
		if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return "", fmt.Errorf("connector: public URL %q is not an http(s) address", public)
		}
		return strings.TrimRight(public, "/"), nil
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = networkIP()
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// networkIP is this machine's IPv4 address a phone on the same Wi-Fi most
// likely reaches: a private one first, else any global one, else loopback.
func networkIP() string {
	addrs, _ := net.InterfaceAddrs()
	found := "127.0.0.1"
	for i := len(addrs) - 1; i >= 0; i-- {
		n, ok := addrs[i].(*net.IPNet)
		if !ok || n.IP.To4() == nil || !n.IP.IsGlobalUnicast() {
			continue
		}
		if found = n.IP.String(); n.IP.IsPrivate() {
			break
		}
	}
	return found
}

// loopbackAddr is addr as this machine reaches it: an unspecified IP
// becomes loopback.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
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
func demoToken(ctx context.Context, st Store, want string, now time.Time) (string, error) {
	tok := want
	if tok != "" {
		if len(tok) < 20 {
			return "", errors.New("connector: the demo project token must be at least 20 characters")
		}
		p, err := st.ProjectTokenByHash(ctx, HashToken(tok))
		switch {
		case errors.Is(err, ErrNotFound):
			err = st.CreateProjectToken(ctx, ProjectToken{ID: "pt_" + randomID(6), Project: demoProject, Hash: HashToken(tok), CreatedAt: now})
		case err == nil && (p.Project != demoProject || !p.RevokedAt.IsZero()):
			err = errors.New("connector: the demo project token given is revoked or belongs to another project")
		}
		if err != nil {
			return "", err
		}
	} else {
		var err error
		if tok, err = CreateProjectToken(ctx, st, demoProject, now); err != nil {
			return "", err
		}
	}
	all, err := st.ProjectTokens(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range all {
		if p.Project == demoProject && p.RevokedAt.IsZero() && p.Hash != HashToken(tok) {
			if err := st.RevokeProjectToken(ctx, p.ID, now); err != nil && !errors.Is(err, ErrNotFound) {
				return "", err
			}
		}
	}
	return tok, nil
}

// prepareSim names the demo's addresses and prepares the simulator on
// them: its pages on the host phones reach the connector by, its pushes to
// the connector over loopback.
func (d *Demo) prepareSim(opts DemoOptions, conn net.Addr, logger *slog.Logger) (wechatsim.Component, error) {
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

// demoTransport reads the simulator's answers, large pages on loopback, in
// bigger gulps than a real deployment needs.
func demoTransport() *http.Transport {
	t := wechatTransport()
	t.IdleConnTimeout = time.Minute
	t.ReadBufferSize = 64 << 10
	return t
}
