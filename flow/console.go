package flow

import (
	"context"
	"errors"
)

// StaffConsoler is a demo stack whose connector serves the staff console
// (the Help menu opens it, so staff can train on the scenarios).
type StaffConsoler interface {
	// StaffConsole returns the console's address and a one-time link that
	// signs its opener in.
	StaffConsole(ctx context.Context) (consoleURL, signIn string, err error)
}

// ErrNoStaffConsole: this demo stack serves no staff console.
var ErrNoStaffConsole = errors.New("flow: the demo serves no staff console")

// StaffConsole returns the demo's staff console address and a one-time
// sign-in link.
func StaffConsole(ctx context.Context, d DemoStack) (consoleURL, signIn string, err error) {
	c, ok := d.(StaffConsoler)
	if !ok {
		return "", "", ErrNoStaffConsole
	}
	return c.StaffConsole(ctx)
}
