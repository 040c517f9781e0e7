package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"os"
	"slices"
	"strconv"
	"testing"

	"oawizard/flow/syncer"
	"oawizard/wechat/wechatsim"
)

// BenchmarkWritePages is the sync's writer alone: 1,000,000 followers with
// the simulator's openids, 10,000 to a page in the order user/get lists
// them (sorted within the page, as the syncer hands them over), each page
// one WritePage. It isolates the one stage of a sync that cannot run in
// parallel from the HTTP and JSON work around it. WRITE_PAGES_ROWS sets
// another count of followers.
//
// WRITE_PAGES_KEYS=random gives every follower a random openid instead:
// the simulator's openids keep the follow order's neighbours near each
// other in key order, so a page's rows land on a few runs of the table;
// real openids look random, and each row of a page then lands on a page of
// the table of its own.
func BenchmarkWritePages(b *testing.B) {
	const page = 10_000
	n := 1_000_000
	if v, _ := strconv.Atoi(os.Getenv("WRITE_PAGES_ROWS")); v > 0 {
		n = v / page * page
	}
	random := os.Getenv("WRITE_PAGES_KEYS") == "random"
	sim := wechatsim.NewUnstarted(wechatsim.Options{Scenario: "ok", PushInterval: -1})
	appid := wechatsim.DemoOAAppID
	pages := make([][]syncer.Follower, 0, n/page)
	for first := 0; first < n; first += page {
		p := make([]syncer.Follower, page)
		for j := range p {
			p[j] = syncer.Follower{OpenID: sim.FollowerOpenID(appid, first+j), UnionID: sim.MPOpenID(appid, first+j), Subscribed: true,
				SubscribeTime: 1700000000, SubscribeScene: "ADD_SCENE_QR_CODE"}
			if random {
				p[j].OpenID = randomOpenID()
			}
		}
		slices.SortFunc(p, syncer.ByOpenID)
		pages = append(pages, p)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		d := open(b)
		cp, err := d.BeginRun(ctx, appid)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, p := range pages {
			cp.Pages++
			if err := d.WritePage(ctx, appid, p, cp); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// randomOpenID is an openid's shape ("o" and 27 URL-safe characters) with
// random characters.
func randomOpenID() string {
	var b [21]byte
	rand.Read(b[:])
	return "o" + base64.RawURLEncoding.EncodeToString(b[:])[:27]
}
