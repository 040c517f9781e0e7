package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"oawizard/connector"
)

const staffUsage = `usage:
  connector staff create -name NAME   a token for one member of customer-success staff (shown once)
  connector staff list                the staff tokens, never the tokens themselves
  connector staff revoke ID           revoke a token and end its console sessions

A staff token signs in at /staff on the connector; it opens no /v1 endpoint.`

// credentials is a create|list|revoke command over one kind of token:
// project tokens (`connector token`) or staff tokens (`connector staff`).
type credentials struct {
	cmd, usage string
	// flagName is create's one flag, what it names and to whom the new
	// token is given.
	flagName, flagUsage, giveTo string
	holder                      string // the list's column for the flag's value
	create                      func(ctx context.Context, st connector.Store, value string, now time.Time) (string, error)
	list                        func(ctx context.Context, st connector.Store) ([]credentialRow, error)
	revoke                      func(ctx context.Context, st connector.Store, id string, now time.Time) error
}

// run reads the subcommand and its flags (checked before the database is
// opened, so a typo creates nothing) and runs it.
func (c credentials) run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, c.usage)
		return errors.New(c.cmd + ": create, list or revoke")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, c.usage)
		return nil
	case "create", "list", "revoke":
	default:
		fmt.Fprintln(stderr, c.usage)
		return fmt.Errorf("%s: unknown subcommand %q", c.cmd, args[0])
	}
	fs := flag.NewFlagSet(c.cmd+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs)
	// Each subcommand lists only its own flags under -h.
	value := new(string)
	if args[0] == "create" {
		value = fs.String(c.flagName, "", c.flagUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := connector.OpenDB(context.Background(), *db)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	switch args[0] {
	case "create":
		tok, err := c.create(ctx, st, *value, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		fmt.Fprintln(stderr, "This token is shown once; give it to "+c.giveTo+". Only its hash is stored.")
		return nil
	case "list":
		rows, err := c.list(ctx, st)
		if err != nil {
			return err
		}
		return listCredentials(stdout, c.holder, rows)
	}
	if fs.NArg() != 1 {
		return errors.New(c.cmd + " revoke ID")
	}
	return c.revoke(ctx, st, fs.Arg(0), time.Now())
}

// credentialRow is one token of a list.
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

var staffTokens = credentials{cmd: "staff", usage: staffUsage,
	flagName: "name", flagUsage: "the staff member's name, shown in the console and its log", giveTo: "the staff member", holder: "NAME",
	create: connector.CreateStaffToken,
	list: func(ctx context.Context, st connector.Store) ([]credentialRow, error) {
		ts, err := connector.StaffTokens(ctx, st)
		rows := make([]credentialRow, len(ts))
		for i, t := range ts {
			rows[i] = credentialRow{t.ID, t.Name, t.CreatedAt, t.RevokedAt}
		}
		return rows, err
	},
	revoke: connector.RevokeStaffToken,
}

func staffCmd(args []string, stdout, stderr io.Writer) error {
	return staffTokens.run(args, stdout, stderr)
}
