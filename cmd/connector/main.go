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
	"encoding/json"
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
	"text/tabwriter"
	"time"

	"oawizard/connector"
	"oawizard/version"
	"oawizard/wechat"
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
With --simulate, CONNECTOR_DEMO_TOKEN keeps the demo project token across restarts.
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
	db := dbFlag(fs)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *simulate != "" {
		if connector.IsPostgresURL(*db) {
			// The demo's store is a throwaway SQLite file; a shared
			// database must not receive the simulator's accounts.
			return errors.New("-simulate keeps its state in a SQLite file: give -db a file path, not a PostgreSQL address")
		}
		d, err := connector.StartDemo(ctx, connector.DemoOptions{Scenario: *simulate, StorePath: *db, Logger: logger, Listen: *listen,
			SimListen: *simListen, PublicURL: *public, ProjectToken: os.Getenv(envDemoToken), Followers: *simFollowers})
		if err != nil {
			return err
		}
		defer d.Close()
		printSimulated(stderr, d)
		<-ctx.Done()
		return nil
	}

	secrets, err := connector.LoadSecrets(os.Getenv, *secretsFile)
	if err != nil {
		return err
	}
	var perms []int
	for _, f := range strings.Split(*sets, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil {
			return fmt.Errorf("-permission-sets: %q is not a number", f)
		}
		perms = append(perms, n)
	}
	trusted, err := connector.ParseTrustedProxies(*proxies)
	if err != nil {
		return err
	}
	if *retention <= 0 {
		return errors.New("-retention must be positive, e.g. 720h")
	}
	st, err := connector.OpenDB(context.Background(), *db)
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := connector.New(connector.Config{PublicURL: *public, APIBase: *apiBase, ComponentAppID: *appid,
		Secrets: secrets, PermissionSets: perms, Logger: logger, Retention: *retention, TrustedProxies: trusted,
		PublicRateLimit: *publicRate, PublicRateBurst: *publicBurst}, st)
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
	logger.Info("connector listening", "addr", l.Addr().String(), "public_url", *public, "component_appid", *appid, "version", version.String())
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
	logger.Info("shutting down")
	return hs.Shutdown(sctx)
}

const tokenUsage = `usage:
  connector token create -project NAME [-db FILE]  issue a project token (shown once)
  connector token list [-db FILE]                  list tokens by id and project
  connector token revoke [-db FILE] ID             revoke one token`

// envDemoToken keeps the simulated connector's project token across
// restarts; without it each start issues a new one and revokes the last.
const envDemoToken = "CONNECTOR_DEMO_TOKEN"

// printSimulated tells the operator what to type into the wizard.
func printSimulated(w io.Writer, d *connector.Demo) {
	keep := "每次启动会换一个新令牌（旧的作废）；设置 " + envDemoToken + " 可保持不变。\n    A new token each start (the last one is revoked); set " + envDemoToken + " to keep one."
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

func tokenCmd(args []string, stdout, stderr io.Writer) error {
	var project *string
	st, fs, err := credentialCmd("token", tokenUsage, args, stdout, stderr, func(fs *flag.FlagSet) {
		project = fs.String("project", "", "project name (create)")
	})
	if st == nil || err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	switch args[0] {
	case "create":
		tok, err := connector.CreateProjectToken(ctx, st, *project, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		fmt.Fprintln(os.Stderr, "This token is shown once; give it to the project's wizard users. Only its hash is stored.")
		return nil
	case "list":
		ts, err := st.ProjectTokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tPROJECT\tCREATED\tREVOKED")
		for _, t := range ts {
			rev := "-"
			if !t.RevokedAt.IsZero() {
				rev = t.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.ID, t.Project, t.CreatedAt.Format(time.RFC3339), rev)
		}
		return w.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke ID")
		}
		return st.RevokeProjectToken(ctx, fs.Arg(0), time.Now())
	}
	return nil
}

func status(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	appid := fs.String("component-appid", os.Getenv("CONNECTOR_COMPONENT_APPID"), "third-party platform appid (default: the one whose ticket arrived last)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := connector.OpenDB(context.Background(), *db)
	if err != nil {
		return err
	}
	defer st.Close()
	s := connector.ReadStatus(context.Background(), st, *appid, time.Now(), true)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// decrypt is a diagnostic for one captured push; its key and token flags are
// acceptable because it runs by hand, once, on the operator's own machine.
func decrypt(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decrypt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	token := fs.String("token", os.Getenv(connector.EnvToken), "message check token (default env "+connector.EnvToken+")")
	key := fs.String("aes-key", os.Getenv(connector.EnvAESKey), "EncodingAESKey (default env "+connector.EnvAESKey+")")
	appid := fs.String("appid", "", "component appid the push must be for (empty: not checked)")
	ts := fs.String("timestamp", "", "timestamp query parameter of the push")
	nonce := fs.String("nonce", "", "nonce query parameter of the push")
	sig := fs.String("msg-signature", "", "msg_signature query parameter of the push")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
	if err != nil {
		return err
	}
	mc, err := wechat.NewMsgCrypt(*token, *key, *appid)
	if err != nil {
		return err
	}
	env, err := wechat.ParseEnvelope(body)
	if err != nil {
		return fmt.Errorf("the body is not a push envelope: %w", err)
	}
	plain, err := mc.Decrypt(*sig, *ts, *nonce, env.Encrypt)
	if err != nil {
		switch {
		case errors.Is(err, wechat.ErrBadSignature):
			return fmt.Errorf("%w: check -token, -timestamp, -nonce and that -msg-signature is msg_signature, not signature", err)
		case errors.Is(err, wechat.ErrBadPadding), errors.Is(err, wechat.ErrBadLength):
			return fmt.Errorf("%w: the EncodingAESKey is probably not the one WeChat used", err)
		}
		return err
	}
	_, err = stdout.Write(append(plain, '\n'))
	return err
}
