package flow

import (
	"slices"
	"testing"
	"time"

	"oawizard/flow/syncer"
	"oawizard/wechat"
)

// A sync's end has one model, the syncer's outcome: each ending, stored
// and read back, is named the same by the headless status and the support
// snapshot (syncer.EndOf), and the sync page, the result page and the
// report word it by that name, with words in the catalogue (ViewKeys).
func TestEveryEndingReadsTheSameEverywhere(t *testing.T) {
	codes := map[string]int{syncer.EndAccountLimited: 50002, syncer.EndNotPermitted: 48001, syncer.EndRevoked: 61023}
	keys := ViewKeys()
	for _, end := range syncer.Ends {
		o := syncer.Outcome{Status: end, ErrCode: codes[end], Message: "the run's own message"}
		if code := codes[end]; code != 0 {
			o.Message = (&wechat.APIError{Code: code}).Error()
		}
		err := syncer.Ended(o, time.Now())
		if got := syncer.EndOf(err); got != end {
			t.Errorf("%s is read back as %s", end, got)
			continue
		}
		v := SyncView{Ended: end, Err: err, Stored: 10, Total: 20, Complete: end == syncer.EndDone}
		head, detail, _ := syncPageWords(v)
		if head.Key != "sync.state."+end || detail.Key == "" {
			t.Errorf("%s: the sync page says %s / %s", end, head.Key, detail.Key)
		}
		for _, k := range []string{head.Key, detail.Key} {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: %s is not among the keys checked for words", end, k)
			}
		}
		if v.Complete {
			continue
		}
		res := incomplete(v)
		stop := "report.stop." + end
		if res.Key != "state.result.incomplete."+end || !slices.Contains(keys, res.Key) || !slices.Contains(keys, stop) {
			t.Errorf("%s: the result page says %s; %s listed: %v", end, res.Key, stop, slices.Contains(keys, stop))
		}
		if actions := syncActions(v, true); len(actions) != 1 || actions[0] == ActionCancel {
			t.Errorf("%s: the page offers %v", end, actions)
		}
	}
}
