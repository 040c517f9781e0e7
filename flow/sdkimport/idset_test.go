package sdkimport

import (
	"math/rand/v2"
	"testing"
)

// The set stays exact across spills: every key added again is a duplicate,
// no new key is, and the table never holds more than a spill's worth.
func TestIDSetSpillsAndStaysExact(t *testing.T) {
	s := idSet{spillAt: 1000}
	defer s.close()
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 25_000)
	for i := range keys {
		keys[i] = rng.Uint64()
		if dup, err := s.add(keys[i]); err != nil || dup {
			t.Fatalf("key %d: dup %v, err %v on first sight", i, dup, err)
		}
		if s.n > s.spillAt || len(s.mem) > 4*s.spillAt {
			t.Fatalf("key %d: %d keys in a table of %d; spill at %d", i, s.n, len(s.mem), s.spillAt)
		}
	}
	if len(s.runs) < 20 || s.bloom == nil {
		t.Fatalf("%d runs, filter %v: the keys were not spilled", len(s.runs), s.bloom != nil)
	}
	for i, k := range keys {
		if dup, err := s.add(k); err != nil || !dup {
			t.Fatalf("key %d again: dup %v, err %v", i, dup, err)
		}
	}
	fresh := 0
	for range 25_000 {
		if dup, err := s.add(rng.Uint64()); err != nil {
			t.Fatal(err)
		} else if !dup {
			fresh++
		}
	}
	if fresh != 25_000 {
		t.Fatalf("%d of 25000 new keys taken as new", fresh)
	}
	if s.total != 50_000 {
		t.Fatalf("%d keys kept, want 50000", s.total)
	}
}
