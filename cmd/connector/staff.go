package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"oawizard/connector"
)

const staffUsage = `usage:
  connector staff create -name NAME   a token for one member of customer-success staff (shown once)
  connector staff list                the staff tokens, never the tokens themselves
  connector staff revoke ID           revoke a token and end its console sessions

A staff token signs in at /staff on the connector; it opens no /v1 endpoint.`

// credentialCmd reads a create|list|revoke command's subcommand and flags
// (flags adds its own) and opens the database; st is nil when there is
// nothing more to do (help was asked for).
func credentialCmd(cmd, usage string, args []string, stdout, stderr io.Writer, flags func(*flag.FlagSet)) (connector.DB, *flag.FlagSet, error) {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return nil, nil, errors.New(cmd + ": create, list or revoke")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil, nil, nil
	case "create", "list", "revoke":
	default:
		// Checked before the database is opened, so a typo creates nothing.
		fmt.Fprintln(stderr, usage)
		return nil, nil, fmt.Errorf("%s: unknown subcommand %q", cmd, args[0])
	}
	fs := flag.NewFlagSet(cmd+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return nil, nil, err
	}
	st, err := connector.OpenDB(context.Background(), *db)
	return st, fs, err
}

func staffCmd(args []string, stdout, stderr io.Writer) error {
	var name *string
	st, fs, err := credentialCmd("staff", staffUsage, args, stdout, stderr, func(fs *flag.FlagSet) {
		name = fs.String("name", "", "the staff member's name, shown in the console and its log (create)")
	})
	if st == nil || err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	switch args[0] {
	case "create":
		tok, err := connector.CreateStaffToken(ctx, st, *name, time.Now())
		if err != nil {
			return err
		}
		shownOnce(stdout, stderr, tok, "the staff member")
		return nil
	case "list":
		ts, err := connector.StaffTokens(ctx, st)
		if err != nil {
			return err
		}
		rows := make([]credentialRow, len(ts))
		for i, t := range ts {
			rows[i] = credentialRow{t.ID, t.Name, t.CreatedAt, t.RevokedAt}
		}
		return listCredentials(stdout, "NAME", rows)
	}
	if fs.NArg() != 1 {
		return errors.New("staff revoke ID")
	}
	return connector.RevokeStaffToken(ctx, st, fs.Arg(0), time.Now())
}
