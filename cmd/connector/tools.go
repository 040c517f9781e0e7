package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"oawizard/connector"
	"oawizard/wechat"
)

// The operator's tools beside serve: project tokens, status, and decrypt.

const tokenUsage = `usage:
  connector token create -project NAME [-db FILE]  issue a project token (shown once)
  connector token list [-db FILE]                  list tokens by id and project
  connector token revoke [-db FILE] ID             revoke one token`

func tokenCmd(args []string, stdout, stderr io.Writer) error {
	project := new(string)
	st, fs, err := credentialCmd("token", tokenUsage, args, stdout, stderr, func(fs *flag.FlagSet) {
		// Each subcommand lists only its own flags under -h.
		if fs.Name() == "token create" {
			project = fs.String("project", "", "project name")
		}
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
		shownOnce(stdout, stderr, tok, "the project's wizard users")
		return nil
	case "list":
		ts, err := st.ProjectTokens(ctx)
		if err != nil {
			return err
		}
		rows := make([]credentialRow, len(ts))
		for i, t := range ts {
			rows[i] = credentialRow{t.ID, t.Project, t.CreatedAt, t.RevokedAt}
		}
		return listCredentials(stdout, "PROJECT", rows)
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke ID")
		}
		return st.RevokeProjectToken(ctx, fs.Arg(0), time.Now())
	}
	return nil
}

// shownOnce prints a new token, the only time it is shown.
func shownOnce(stdout, stderr io.Writer, tok, giveTo string) {
	fmt.Fprintln(stdout, tok)
	fmt.Fprintln(stderr, "This token is shown once; give it to "+giveTo+". Only its hash is stored.")
}

// credentialRow is one token of `token list` or `staff list`.
type credentialRow struct {
	id, holder       string
	created, revoked time.Time
}

// listCredentials prints tokens by id, holder and dates.
func listCredentials(stdout io.Writer, holder string, rows []credentialRow) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\t"+holder+"\tCREATED\tREVOKED")
	for _, r := range rows {
		rev := "-"
		if !r.revoked.IsZero() {
			rev = r.revoked.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.id, r.holder, r.created.Format(time.RFC3339), rev)
	}
	return w.Flush()
}

func status(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	appid := fs.String("component-appid", os.Getenv("CONNECTOR_COMPONENT_APPID"), "third-party platform appid (default: the one whose ticket arrived last)")
	release := releaseFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := connector.CheckReleaseState(*release); err != nil {
		return err
	}
	st, err := connector.OpenDB(context.Background(), *db)
	if err != nil {
		return err
	}
	defer st.Close()
	s := connector.ReadStatus(context.Background(), st, *appid, time.Now(), true)
	s.ReleaseState = *release
	// A database `serve --simulate` keeps has the simulated WeChat's state
	// beside it: its accounts and tokens are not real ones.
	s.Demo = exists(simStatePath(*db))
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// decrypt is a diagnostic for one captured push. Like serve it takes the
// Token and EncodingAESKey from the environment or -secrets-file, never
// from flags, which shells keep in their history and ps shows to all.
func decrypt(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decrypt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	secretsFile := fs.String("secrets-file", os.Getenv(connector.EnvSecretsFile), "KEY=VALUE file with "+connector.EnvToken+" and "+connector.EnvAESKey+
		" (env "+connector.EnvSecretsFile+"; the environment's values win)")
	appid := fs.String("appid", "", "component appid the push must be for (empty: not checked)")
	ts := fs.String("timestamp", "", "timestamp query parameter of the push")
	nonce := fs.String("nonce", "", "nonce query parameter of the push")
	sig := fs.String("msg-signature", "", "msg_signature query parameter of the push")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Only these two are needed: the others LoadSecrets asks for may be
	// missing here.
	sec, err := connector.LoadSecrets(os.Getenv, *secretsFile)
	if sec.Token == "" || sec.EncodingAESKey == "" {
		if err == nil {
			err = errors.New("missing secrets")
		}
		return fmt.Errorf("decrypt needs %s and %s in the environment or the -secrets-file: %w", connector.EnvToken, connector.EnvAESKey, err)
	}
	body, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
	if err != nil {
		return err
	}
	mc, err := wechat.NewMsgCrypt(sec.Token, sec.EncodingAESKey, *appid)
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
			return fmt.Errorf("%w: check %s, -timestamp, -nonce and that -msg-signature is msg_signature, not signature", err, connector.EnvToken)
		case errors.Is(err, wechat.ErrBadPadding), errors.Is(err, wechat.ErrBadLength):
			return fmt.Errorf("%w: the EncodingAESKey is probably not the one WeChat used", err)
		}
		return err
	}
	_, err = stdout.Write(append(plain, '\n'))
	return err
}
