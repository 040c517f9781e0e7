package syncer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"oawizard/wechat"
)

// Paths whose daily quota a sync spends.
const (
	PathUserGet  = "/cgi-bin/user/get"
	PathBatchGet = "/cgi-bin/user/info/batchget"
)

// pagesAhead bounds how many listed pages may wait for their batches, which
// bounds memory (a page is 10,000 rows) whatever the account's size.
const pagesAhead = 3

type page struct {
	seq     int
	next    string // next_openid WeChat gave with this page
	batches int
	mu      sync.Mutex
	// rows has a place for every listed id; batch i fills the slots from
	// i × MaxBatchGet, and got[i] says how many it filled (fewer when
	// WeChat no longer knew an id), so no batch allocates rows of its own.
	got  []int
	left int
	// Set by join once every part is in.
	rows         []Follower
	union, unsub int64
}

type batch struct {
	pg  *page
	idx int
	ids []string
}

type engine struct {
	api   API
	st    Store
	appid string
	opt   Options
	start time.Time

	total     atomic.Int64
	listed    atomic.Int64
	stored    atomic.Int64 // in this run
	before    Checkpoint   // where a resumed run picked up
	withUnion atomic.Int64
	unsub     atomic.Int64
	retries   atomic.Int64
	waiting   atomic.Value // string
	phase     atomic.Value // string
}

// Run syncs appid's followers into st, resuming an unfinished run. It returns
// when the list is exhausted, ctx is cancelled (Outcome "stopped"), the daily
// quota runs out (*QuotaError), the authorization is withdrawn (ErrRevoked) or
// a call keeps failing.
func Run(ctx context.Context, api API, st Store, appid string, opt Options) (*Result, error) {
	opt.defaults()
	cp, err := st.BeginRun(ctx, appid)
	if err != nil {
		return nil, err
	}
	e := &engine{api: api, st: st, appid: appid, opt: opt, start: time.Now(), before: cp}
	e.phase.Store("listing")
	e.waiting.Store("")

	stopProgress := e.reportProgress()
	err = e.run(ctx, cp)
	stopProgress()

	if err == nil {
		e.phase.Store("done")
	}
	res := &Result{RunID: cp.RunID, Resumed: cp.Pages > 0, Progress: e.snapshot(), Elapsed: time.Since(e.start)}
	if opt.Progress != nil {
		opt.Progress(res.Progress)
	}
	// The outcome is recorded even when ctx was cancelled: that is the point.
	if endErr := st.EndRun(context.WithoutCancel(ctx), cp.RunID, outcomeOf(err)); endErr != nil && err == nil {
		err = endErr
	}
	return res, err
}

func (e *engine) run(ctx context.Context, cp Checkpoint) error {
	var first *wechat.UserList
	if err := e.call(ctx, func() (err error) { first, err = e.api.UserGet(ctx, "", cp.Cursor); return err }); err != nil {
		return err
	}
	e.total.Store(int64(first.Total))
	if rc, ok := e.st.(RoomChecker); ok {
		// Refused now, before a call of the day's quota is spent, rather
		// than half-way with a full disk.
		if err := rc.CheckSyncRoom(ctx, e.appid, int64(first.Total)); err != nil {
			return err
		}
	}
	if err := e.checkQuota(ctx, first.Total, cp.Rows); err != nil {
		return err
	}
	e.phase.Store("fetching")

	// A failed write cancels the pipeline, so the lister stops waiting for
	// a page slot and the workers for work; without it a full or locked
	// database left every goroutine waiting on another for ever.
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g, gctx := errgroup.WithContext(pctx)
	batches := make(chan batch, e.opt.Workers*2)
	done := make(chan *page, pagesAhead)
	slots := make(chan struct{}, pagesAhead)

	g.Go(func() error { defer close(batches); return e.list(gctx, first, batches, slots) })
	var workers sync.WaitGroup
	for range e.opt.Workers {
		workers.Add(1)
		g.Go(func() error { defer workers.Done(); return e.work(gctx, batches, done) })
	}
	go func() { workers.Wait(); close(done) }()
	var werr error
	g.Go(func() error {
		werr = e.write(gctx, cp, done, slots, cancel)
		return werr
	})
	err := g.Wait()
	if werr != nil && !errors.Is(werr, context.Canceled) {
		// The write failure is the cause; the others only saw the cancel.
		return werr
	}
	return err
}

// list walks user/get and cuts each page into batches.
func (e *engine) list(ctx context.Context, l *wechat.UserList, out chan<- batch, slots chan<- struct{}) error {
	for seq := 0; ; seq++ {
		ids := l.Data.OpenID
		if len(ids) == 0 {
			return nil
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		// Asked for in key order, the page's rows come back nearly in the
		// order the store writes them, and sorting 10,000 strings costs
		// less than sorting the rows made of them.
		slices.Sort(ids)
		n := (len(ids) + wechat.MaxBatchGet - 1) / wechat.MaxBatchGet
		pg := &page{seq: seq, next: l.NextOpenID, batches: n, rows: make([]Follower, len(ids)), got: make([]int, n), left: n}
		e.listed.Add(int64(len(ids)))
		for i := 0; i < n; i++ {
			hi := min((i+1)*wechat.MaxBatchGet, len(ids))
			select {
			case out <- batch{pg: pg, idx: i, ids: ids[i*wechat.MaxBatchGet : hi]}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		// With every follower the list counts listed, the call that would
		// answer an empty page is not made: 5,000,000 followers take
		// exactly the 500 user/get calls a day allows.
		if l.Done() || (l.Total > 0 && e.before.Rows+e.listed.Load() >= int64(l.Total)) {
			return nil
		}
		cursor := l.NextOpenID
		if err := e.call(ctx, func() (err error) { l, err = e.api.UserGet(ctx, "", cursor); return err }); err != nil {
			return err
		}
	}
}

// work fetches batches; the worker that completes a page hands it on.
func (e *engine) work(ctx context.Context, in <-chan batch, done chan<- *page) error {
	var buf []wechat.UserInfo // the users of the last batch, copied out
	for b := range in {
		infos, err := e.fetch(ctx, b.ids, buf)
		if err != nil {
			return err
		}
		buf = infos
		// At most one row per id asked for: an answer with more would
		// spill into the next batch's slots.
		slot := b.pg.rows[b.idx*wechat.MaxBatchGet:][:len(b.ids)]
		k := min(len(infos), len(slot))
		for i, u := range infos[:k] {
			slot[i] = Follower{
				OpenID: u.OpenID, UnionID: u.UnionID, Subscribed: u.Subscribe == 1,
				SubscribeTime: u.SubscribeTime, SubscribeScene: u.SubscribeScene,
			}
		}
		b.pg.mu.Lock()
		b.pg.got[b.idx] = k
		b.pg.left--
		complete := b.pg.left == 0
		b.pg.mu.Unlock()
		if complete {
			// Joining the page here keeps the work off the writer, the
			// one stage that cannot run in parallel.
			b.pg.join()
			// No select on ctx: a page fetched in full is stored even
			// when the run is stopping, and the writer drains until the
			// last worker is gone, so this send cannot block forever.
			done <- b.pg
		}
	}
	return nil
}

// join closes the gaps short batches left in the page's rows and counts
// them.
func (p *page) join() {
	n := 0
	for i, got := range p.got {
		from := i * wechat.MaxBatchGet
		n += copy(p.rows[n:], p.rows[from:from+got])
	}
	clear(p.rows[n:])
	p.rows = p.rows[:n]
	p.got = nil
	for _, r := range p.rows {
		if r.UnionID != "" {
			p.union++
		}
		if !r.Subscribed {
			p.unsub++
		}
	}
	// The store writes in key order; sorted here, its own sort finds
	// the work done. The ids were asked for sorted, so unless WeChat
	// answered out of order the sort only confirms it, in one pass.
	slices.SortFunc(p.rows, ByOpenID)
}

// ByOpenID orders followers by openid, the followers table's key order.
func ByOpenID(a, b Follower) int { return strings.Compare(a.OpenID, b.OpenID) }

// fetch calls batchget, into dst when the API can; an openid WeChat no
// longer knows (40003) is isolated by halving, so one vanished user does not
// fail the run.
func (e *engine) fetch(ctx context.Context, ids []string, dst []wechat.UserInfo) ([]wechat.UserInfo, error) {
	var infos []wechat.UserInfo
	err := e.call(ctx, func() (err error) {
		if into, ok := e.api.(BatchGetInto); ok {
			infos, err = into.UserInfoBatchGetInto(ctx, ids, "zh_CN", dst)
		} else {
			infos, err = e.api.UserInfoBatchGet(ctx, "", ids, "zh_CN")
		}
		return err
	})
	if !wechat.IsCode(err, 40003) {
		return infos, err
	}
	if len(ids) == 1 {
		return nil, nil
	}
	// The halves get buffers of their own: the first is appended to.
	a, err := e.fetch(ctx, ids[:len(ids)/2], nil)
	if err != nil {
		return nil, err
	}
	b, err := e.fetch(ctx, ids[len(ids)/2:], nil)
	return append(a, b...), err
}

// write stores completed pages in list order, each with its checkpoint, so
// the checkpoint never passes a page that is not fully stored.
func (e *engine) write(ctx context.Context, cp Checkpoint, in <-chan *page, slots <-chan struct{}, cancel context.CancelCauseFunc) error {
	pending := map[int]*page{}
	nextSeq := 0
	// Writes outlive a cancelled run: what was fetched is kept (45009,
	// revocation and the cancel button all stop the run, not the writes).
	wctx := context.WithoutCancel(ctx)
	var werr error
	for pg := range in {
		if werr != nil {
			continue // drain, so no worker blocks on a send
		}
		pending[pg.seq] = pg
		for {
			p, ok := pending[nextSeq]
			if !ok {
				break
			}
			delete(pending, nextSeq)
			nextSeq++
			rows, union, unsub := p.rows, p.union, p.unsub
			p.rows = nil
			cp.Cursor = p.next
			cp.Pages++
			cp.Batches += p.batches
			cp.Rows += int64(len(rows))
			cp.WithUnionID += union
			cp.Unsubscribed += unsub
			if err := e.st.WritePage(wctx, e.appid, rows, cp); err != nil {
				werr = err
				cancel(err)
				break
			}
			e.stored.Add(int64(len(rows)))
			e.withUnion.Add(union)
			e.unsub.Add(unsub)
			select {
			case <-slots:
			default:
			}
		}
	}
	if werr != nil {
		return werr
	}
	return ctx.Err()
}
