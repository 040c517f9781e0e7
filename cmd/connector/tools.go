package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"oawizard/connector"
	"oawizard/wechat"
)

// The operator's tools beside serve: project tokens, status, and decrypt.

const tokenUsage = `usage:
  connector token create -project NAME [-db FILE]  issue a project token (shown once)
  connector token list [-db FILE]                  list tokens by id and project
  connector token revoke [-db FILE] ID             revoke one token`

var projectTokens = credentials{cmd: "token", usage: tokenUsage,
	flagName: "project", flagUsage: "project name", giveTo: "the project's wizard users", holder: "PROJECT",
	create: connector.CreateProjectToken,
	list: func(ctx context.Context, st connector.Store) ([]credentialRow, error) {
		ts, err := st.ProjectTokens(ctx)
		rows := make([]credentialRow, len(ts))
		for i, t := range ts {
			rows[i] = credentialRow{t.ID, t.Project, t.CreatedAt, t.RevokedAt}
		}
		return rows, err
	},
	revoke: func(ctx context.Context, st connector.Store, id string, now time.Time) error {
		return st.RevokeProjectToken(ctx, id, now)
	},
}

func tokenCmd(args []string, stdout, stderr io.Writer) error {
	return projectTokens.run(args, stdout, stderr)
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
