// Command connector runs the vendor-side service between the desktop wizards
// and WeChat, and its operator tools.
//
//	connector serve   [flags]            run the service (secrets from the environment or -secrets-file)
//	connector serve --simulate SCENARIO  run against a built-in WeChat simulator a browser or phone can finish
//	connector token create --project NAME | list | revoke ID
//	connector staff create --name NAME | list | revoke ID   the staff console's sign-ins
//	connector status                     ticket age, token expiries, authorizers, open sessions
//	connector decrypt [flags] < body.xml decrypt a captured push, or say why it fails
//	connector migrate                    bring the database schema up to date
//	connector migrate -from sqlite:PATH -to postgres://...   move onto PostgreSQL
//	connector -version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"oawizard/connector"
	"oawizard/connector/api"
	"oawizard/demostack/loopback"
	"oawizard/version"
	"oawizard/wechat/wechatsim"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(1)
	}
}

// errorLine is how a failed command ends: one "connector:" before the
// message, which the connector package's errors already start with.
func errorLine(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "connector:") {
		return msg
	}
	return "connector: " + msg
}

const usage = `usage:
  connector serve [flags]              run the service
  connector serve --simulate SCENARIO  run against the built-in WeChat simulator; any browser, or a
                                       phone on the same network, can finish its authorization pages
                                       (-listen 0.0.0.0:PORT, -sim-listen, -public-url, -sim-followers)
  connector token create --project NAME | token list | token revoke ID
  connector staff create --name NAME | staff list | staff revoke ID
                                       customer-success staff's tokens for the console at /staff
  connector status                     ticket age, token expiries, authorizers, open sessions
  connector decrypt [flags] < body     decrypt a captured push body, or say why it fails
  connector migrate                    bring the database schema up to date
  connector migrate -from sqlite:PATH -to postgres://...
                                       copy a SQLite store into an empty PostgreSQL database
  connector -version

Secrets come from the environment (CONNECTOR_APPSECRET, CONNECTOR_TOKEN,
CONNECTOR_AES_KEY, CONNECTOR_PREV_AES_KEY, CONNECTOR_STORE_KEY) or from the
KEY=VALUE file named by -secrets-file / CONNECTOR_SECRETS_FILE; never flags.
With --simulate, the simulated WeChat's state is kept beside -db (FILE.wechat-state.json)
and a restart continues from it; CONNECTOR_DEMO_TOKEN names the demo project token
(default: one derived from the store key, the same after a restart).
Run "connector COMMAND -h" for a command's flags.`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(args, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		// -h printed the command's flags; asking for help is not a failure.
		return nil
	}
	return err
}

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "-version", "--version", "version":
		fmt.Fprintln(stdout, "connector", version.String())
		return nil
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "token":
		return tokenCmd(args[1:], stdout, stderr)
	case "staff":
		return staffCmd(args[1:], stdout, stderr)
	case "status":
		return status(args[1:], stdout, stderr)
	case "decrypt":
		return decrypt(args[1:], stdin, stdout, stderr)
	case "migrate":
		fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
		fs.SetOutput(stderr)
		db := dbFlag(fs)
		from := fs.String("from", "", "copy everything from this store (sqlite:PATH) ...")
		to := fs.String("to", "", "... into this empty PostgreSQL database (postgres://...)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *from != "" || *to != "" {
			return copyStore(*from, *to, stdout)
		}
		st, err := connector.OpenDB(context.Background(), *db)
		if err != nil {
			return err
		}
		defer st.Close()
		v, err := st.SchemaVersion(context.Background())
		fmt.Fprintf(stdout, "schema version %d\n", v)
		return err
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// version comes from the build information: the module version for a
// released build, else the VCS revision.

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// envDuration and envFloat read a default from the environment; a value
// that does not parse is left to the flag's own default.
func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

func envFloat(k string, def float64) float64 {
	if f, err := strconv.ParseFloat(os.Getenv(k), 64); err == nil {
		return f
	}
	return def
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("CONNECTOR_DB", "connector.db"), "SQLite database file, or postgres://user:password@host/db for several instances (env CONNECTOR_DB)")
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", envOr("CONNECTOR_LISTEN", "127.0.0.1:8080"), "listen address (env CONNECTOR_LISTEN)")
	public := fs.String("public-url", os.Getenv("CONNECTOR_PUBLIC_URL"), "public HTTPS base URL; its host is the 授权发起页域名 (env CONNECTOR_PUBLIC_URL)")
	apiBase := fs.String("api-base", envOr("CONNECTOR_API_BASE", "https://api.weixin.qq.com"), "WeChat API base URL (env CONNECTOR_API_BASE)")
	appid := fs.String("component-appid", os.Getenv("CONNECTOR_COMPONENT_APPID"), "third-party platform appid (env CONNECTOR_COMPONENT_APPID)")
	sets := fs.String("permission-sets", envOr("CONNECTOR_PERMISSION_SETS", "2,3"), "permission sets asked for; add 24 only if this platform may hold 开放平台账号管理 (env CONNECTOR_PERMISSION_SETS)")
	secretsFile := fs.String("secrets-file", os.Getenv(connector.EnvSecretsFile), "KEY=VALUE file with the secrets (env "+connector.EnvSecretsFile+")")
	retention := fs.Duration("retention", envDuration("CONNECTOR_RETENTION", connector.DefaultRetention), "how long finished and expired sessions are kept (env CONNECTOR_RETENTION)")
	proxies := fs.String("trusted-proxies", os.Getenv("CONNECTOR_TRUSTED_PROXIES"), "reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client (env CONNECTOR_TRUSTED_PROXIES)")
	publicRate := fs.Float64("public-rate", envFloat("CONNECTOR_PUBLIC_RATE", 2), "requests per second per client address on the landing page and callback (env CONNECTOR_PUBLIC_RATE)")
	publicBurst := fs.Int("public-burst", int(envFloat("CONNECTOR_PUBLIC_BURST", 20)), "burst per client address on the landing page and callback (env CONNECTOR_PUBLIC_BURST)")
	simulate := fs.String("simulate", "", "run against the built-in WeChat simulator with this scenario: "+strings.Join(wechatsim.Scenarios(), ", "))
	simListen := fs.String("sim-listen", os.Getenv("CONNECTOR_SIM_LISTEN"), "with -simulate: the simulator's listen address (default: a free port on -listen's host; env CONNECTOR_SIM_LISTEN)")
	simFollowers := fs.Int("sim-followers", 0, "with -simulate: the Official Account's follower count (default: the scenario's)")
	release := releaseFlag(fs)
	support := supportFlags(fs)
	db := dbFlag(fs)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	sup := support()
	if err := connector.CheckSupport(sup); err != nil {
		return err
	}
	trusted, err := connector.ParseTrustedProxies(*proxies)
	if err != nil {
		return err
	}
	if *retention <= 0 {
		return errors.New("-retention must be positive, e.g. 720h")
	}
	if err := connector.CheckReleaseState(*release); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	ctx, stop := signalContext(logger)
	defer stop()
	if *simulate != "" {
		if err := refuseWithSimulate(fs); err != nil {
			return err
		}
		return simulateServe(ctx, loopback.Options{Scenario: *simulate, StorePath: *db, Logger: logger, Listen: *listen,
			SimListen: *simListen, PublicURL: *public, Followers: *simFollowers, Retention: *retention, TrustedProxies: trusted,
			PublicRateLimit: *publicRate, PublicRateBurst: *publicBurst, ReleaseState: *release, Support: sup}, stderr)
	}
	secrets, err := connector.LoadSecrets(os.Getenv, *secretsFile)
	if err != nil {
		return err
	}
	perms, err := permissionSets(*sets)
	if err != nil {
		return err
	}
	st, err := connector.OpenDB(context.Background(), *db)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := connector.New(connector.Config{PublicURL: *public, APIBase: *apiBase, ComponentAppID: *appid,
		Secrets: secrets, PermissionSets: perms, Logger: logger, Retention: *retention, TrustedProxies: trusted,
		PublicRateLimit: *publicRate, PublicRateBurst: *publicBurst, ReleaseState: *release, Support: sup}, st)
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	hs.RegisterOnShutdown(srv.EndStreams)
	logger.Info("connector listening", "addr", l.Addr().String(), "public_url", *public, "component_appid", *appid,
		"release_state", *release, "version", version.String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Long-polls last up to a minute; give them that long to finish.
	sctx, cancel := context.WithTimeout(context.Background(), 65*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

func releaseFlag(fs *flag.FlagSet) *string {
	return fs.String("release-state", os.Getenv("CONNECTOR_RELEASE_STATE"), "the platform's 全网发布 state as the Open Platform console shows it: "+
		api.ReleaseTesting+" (only the console's test accounts can authorize) or "+api.ReleaseReleased+" (env CONNECTOR_RELEASE_STATE)")
}

// supportFlags are the vendor's support contact the wizard's Help menu
// shows; the returned function reads them after parsing.
func supportFlags(fs *flag.FlagSet) func() api.Support {
	name := fs.String("support-name", os.Getenv("CONNECTOR_SUPPORT_NAME"), "support contact's name, shown in the wizard's Help menu (env CONNECTOR_SUPPORT_NAME)")
	phone := fs.String("support-phone", os.Getenv("CONNECTOR_SUPPORT_PHONE"), "support phone number or WeChat ID (env CONNECTOR_SUPPORT_PHONE)")
	link := fs.String("support-url", os.Getenv("CONNECTOR_SUPPORT_URL"), "support web page, http(s) (env CONNECTOR_SUPPORT_URL)")
	return func() api.Support {
		return api.Support{Name: strings.TrimSpace(*name), Phone: strings.TrimSpace(*phone), URL: strings.TrimSpace(*link)}
	}
}

func permissionSets(list string) ([]int, error) {
	var perms []int
	for _, f := range strings.Split(list, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil {
			return nil, fmt.Errorf("-permission-sets: %q is not a number", f)
		}
		perms = append(perms, n)
	}
	return perms, nil
}

// signalContext ends at SIGINT or SIGTERM and logs which one came: an
// instance stopped by its supervisor says so before it goes quiet.
func signalContext(logger *slog.Logger) (context.Context, func()) {
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	go logSignal(ctx, cancel, sigc, logger)
	return ctx, func() {
		signal.Stop(sigc)
		cancel()
	}
}

func logSignal(ctx context.Context, cancel func(), sigc <-chan os.Signal, logger *slog.Logger) {
	select {
	case sig := <-sigc:
		logger.Info("signal received; shutting down", "signal", sig.String())
		cancel()
	case <-ctx.Done():
	}
}
