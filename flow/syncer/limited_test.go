package syncer_test

import (
	"context"
	"errors"
	"testing"

	. "oawizard/flow/syncer"
	"oawizard/wechat"
)

// 50002 in the middle of a sync is the account limited by WeChat: the run
// ends with WeChat's error, never as a withdrawn
// authorization whose remedy (scan again) cannot help; read back later it
// is the same error.
func TestAccountLimitedIsNotRevoked(t *testing.T) {
	api := &fakeAPI{n: 5000, onBatch: func(call int64, ids []string) error {
		if call > 10 {
			return &wechat.APIError{Code: 50002, Msg: "user limited", Path: PathBatchGet}
		}
		return nil
	}}
	st := newStore(t)
	_, err := Run(context.Background(), api, st, "wxoa", Options{Workers: 2})
	if errors.Is(err, ErrRevoked) || errors.Is(err, ErrNotPermitted) || wechat.ErrorCode(err) != 50002 {
		t.Fatalf("err %v", err)
	}
	last := st.last()
	if last.Status != EndAccountLimited || last.ErrCode != 50002 || EndOf(err) != EndAccountLimited {
		t.Fatalf("run %+v", last)
	}
	back := Ended(Outcome{Status: last.Status, ErrCode: last.ErrCode, Message: last.Message}, last.FinishedAt)
	if c, _ := wechat.ClassOfError(back); c != wechat.ClassAccountLimited || errors.Is(back, ErrRevoked) {
		t.Fatalf("read back as %v (%s)", back, c)
	}
}
