package flow

import "context"

// Reconcile asks the connector whether the authorization the wizard
// remembers still holds: a restarted demo or a revoked authorization leaves
// a saved "authorized" behind that the connector no longer honours. It then
// sends the admin back to step 3 with AuthLost set, so the page offers a new
// scan instead of a sync that can only fail. When the connector cannot be
// asked, nothing changes and the error is returned.
func (w *Wizard) Reconcile(ctx context.Context) (lost bool, err error) {
	st := w.State()
	if !st.Progress.Authorized || st.OAAppID == "" {
		return false, nil
	}
	a, err := w.conn.Account(ctx, st.OAAppID)
	if err != nil {
		return false, err
	}
	if a != nil && a.Authorized {
		return false, nil
	}
	return true, w.update(ctx, func(s *State) {
		s.Progress.Authorized, s.MPAuthorized, s.AuthLost = false, false, true
		s.Progress.Step = min(s.Progress.Step, StepAuthorize)
		s.Progress.Reached = min(s.Progress.Reached, StepAuthorize)
	})
}
