package demostack

import (
	"context"
	"time"

	"oawizard/connector"
)

// StaffConsole is the demo connector's staff console and a one-time link
// that signs its opener in, so staff can train on the scenarios: the
// demo's staff token is made at the first call and never leaves the
// process.
func (s *Stack) StaffConsole(ctx context.Context) (consoleURL, signIn string, err error) {
	s.staffMu.Lock()
	defer s.staffMu.Unlock()
	if s.staffToken == "" {
		tok, err := connector.CreateStaffToken(ctx, s.d.Store, "演示 Demo", time.Now())
		if err != nil {
			return "", "", err
		}
		s.staffToken = tok
	}
	link, err := s.d.Connector.StaffSignInLink(ctx, s.staffToken)
	if err != nil {
		return "", "", err
	}
	return s.d.LocalURL + "/staff", s.d.LocalURL + link, nil
}
