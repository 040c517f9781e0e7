package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"oawizard/flow/syncer"
)

// busyTimeout is the DSN's busy_timeout: how long SQLite lets a writer
// poll for the lock before it fails "busy".
const busyTimeout = 3 * time.Second

// A page transaction that holds the database longer than SQLite's busy
// timeout (a big page on a loaded machine) makes the writes of the rest of
// the process wait their turn, never fail: a setting, the wizard's state,
// an account, a whole export's import, a run's end. Each is stored once the
// page is.
func TestWritesDuringALongPageTransactionWaitTheirTurn(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, err := d.BeginRun(ctx, "wxa")
	if err != nil {
		t.Fatal(err)
	}
	writing := make(chan struct{})
	page := make(chan error, 1)
	go func() {
		page <- d.rawTx(ctx, func(c rawConn) error {
			if err := writeFollowers(ctx, c, "wxa", time.Now().Unix(), rows(0, 1000)); err != nil {
				return err
			}
			close(writing)
			time.Sleep(busyTimeout + time.Second)
			return nil
		})
	}()
	<-writing
	writes := map[string]func() error{
		"state":   func() error { return d.Put(ctx, "total", 5000000) },
		"account": func() error { return d.SetAccount(ctx, "wxb", "oa", "示例号") },
		"import": func() error {
			id, err := d.BeginImport(ctx, SDKImport{FileName: "users.csv", Size: 10})
			if err != nil {
				return err
			}
			if err := d.AddSDKUsers(ctx, id, []SDKUser{{OpenID: "o1", UnionID: "u1"}}); err != nil {
				return err
			}
			return d.FinishImport(ctx, id, map[string]int{"rows": 1}, "00")
		},
		"followers": func() error { return d.InsertFollowers(ctx, "wxa", rows(1000, 10)) },
	}
	errs := make(chan error, len(writes))
	for name, write := range writes {
		go func() {
			if err := write(); err != nil {
				errs <- errors.Join(errors.New(name), err)
				return
			}
			errs <- nil
		}()
	}
	for range writes {
		if err := <-errs; err != nil {
			t.Errorf("a write during the page: %v", err)
		}
	}
	if err := <-page; err != nil {
		t.Fatalf("the page: %v", err)
	}
	if err := d.EndRun(ctx, cp.RunID, syncer.Outcome{Status: "done"}); err != nil {
		t.Fatal(err)
	}
	var total int
	if ok, err := d.Get(ctx, "total", &total); !ok || err != nil || total != 5000000 {
		t.Fatalf("the state written during the page reads %d, %v, %v", total, ok, err)
	}
	if fs, err := d.FollowerStats(ctx, "wxa"); err != nil || fs.Total != 1010 {
		t.Fatalf("followers after the page and the write beside it: %+v, %v", fs, err)
	}
}

// A writer waiting its turn gives up when its context ends.
func TestAWaitingWriteEndsWithItsContext(t *testing.T) {
	d := open(t)
	done, err := d.takeTurn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Put(ctx, "k", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write while the turn is taken, past its deadline: %v", err)
	}
}
