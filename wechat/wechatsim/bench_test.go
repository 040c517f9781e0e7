package wechatsim

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"oawizard/wechat"
)

// BenchmarkServeMillionFollowers reads 1,000,000 followers the way a sync
// does (100 user/get pages, 10,000 batchget calls, 8 workers) over loopback,
// to show what the simulator can serve and that its memory stays flat.
func BenchmarkServeMillionFollowers(b *testing.B) {
	const n = 1_000_000
	cmp := DemoComponent()
	s := New(Options{Components: []Component{cmp}, Followers: n, PushInterval: -1})
	defer s.Close()
	tok := s.directAuthorizerToken(cmp.AppID, DemoOAAppID)
	c := wechat.NewClient(s.URL, s.Client())
	ctx := context.Background()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		s.SetQuota(DemoOAAppID, "/cgi-bin/user/get", 1<<30, 0)
		batches := make(chan []string, 64)
		var wg sync.WaitGroup
		var rows int64
		var mu sync.Mutex
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ids := range batches {
					got, err := c.UserInfoBatchGet(ctx, tok, ids, "")
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					rows += int64(len(got))
					mu.Unlock()
				}
			}()
		}
		next := ""
		for {
			page, err := c.UserGet(ctx, tok, next)
			if err != nil {
				b.Fatal(err)
			}
			if page.Done() {
				break
			}
			ids := page.Data.OpenID
			for i := 0; i < len(ids); i += 100 {
				batches <- ids[i:min(i+100, len(ids))]
			}
			next = page.NextOpenID
		}
		close(batches)
		wg.Wait()
		if rows != n {
			b.Fatalf("served %d rows", rows)
		}
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "followers/s")
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MiB")
}

// directAuthorizerToken authorizes an account without the phone, for
// benchmarks and tools that only need a working token.
func (s *Server) directAuthorizerToken(comp, appid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grant(comp, appid, []int{1, 2, 3, 24})
	return s.mint(kindAuthorizer, appid, comp).value
}
