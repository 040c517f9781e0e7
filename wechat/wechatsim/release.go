package wechatsim

import "slices"

// A third-party platform is usable by every account only once it is
// 全网发布 (released to all). Before that only the test accounts entered in
// its settings may authorize it; any other admin who scans sees an error
// page on the phone and the authorization never completes (the platform's
// 开发资料 lists its 授权测试公众号/小程序; third_party_authority_instructions
// speaks of a platform's 全网发布 state; reported by every new deployment).
type release struct {
	unreleased   bool
	testAccounts []string
}

// textUnreleased is close to what the phone shows for an account that may
// not authorize a platform not yet released.
const textUnreleased = "该第三方平台尚未全网发布，暂时只支持测试公众号或小程序授权"

// SetUnreleased puts every platform the simulator hosts back before 全网发布:
// only testAccounts may authorize it. SetReleased undoes it.
func (s *Server) SetUnreleased(testAccounts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.components {
		c.release = release{unreleased: true, testAccounts: slices.Clone(testAccounts)}
	}
}

// SetReleased marks every hosted platform 全网发布.
func (s *Server) SetReleased() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.components {
		c.release = release{}
	}
}

// unreleasedRefusal is the page text for accounts that may not authorize
// an unreleased platform, or "" when one of them may.
func (r release) unreleasedRefusal(offered []string) string {
	if !r.unreleased || slices.ContainsFunc(offered, func(id string) bool { return slices.Contains(r.testAccounts, id) }) {
		return ""
	}
	return textUnreleased
}
