package wechatsim

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

// WriteSDKExport writes what an analytics platform's export of identified
// mini-program users would hold for this scenario: users persons starting
// at first, with the mini-program's openid and, when the mini-program is
// bound to an Open Platform account, the unionid it sees. Persons below the
// OA's follower count are also followers, so the export overlaps with them.
func (s *Server) WriteSDKExport(w io.Writer, first, users int) error {
	mp, ok := s.Account(s.Scenario().MPAppID)
	if !ok {
		return fmt.Errorf("wechatsim: the scenario has no mini-program")
	}
	bw := bufio.NewWriter(w)
	// UTF-8 with a BOM and Chinese titles: what such exports usually look like.
	bw.WriteString("\ufeff用户ID,微信OpenID,微信UnionID,最近访问时间\n")
	base := time.Date(2026, 10, 1, 9, 0, 0, 0, chinaTime)
	for p := first; p < first+users; p++ {
		union := ""
		if mp.OpenAppID != "" {
			union = unionID(mp.OpenAppID, p)
		}
		fmt.Fprintf(bw, "U%07d,%s,%s,%s\n", p, openID(mp.AppID, p), union, base.Add(time.Duration(p%86400)*time.Minute).Format("2006-01-02 15:04"))
	}
	return bw.Flush()
}
