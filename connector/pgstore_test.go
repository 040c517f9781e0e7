package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"oawizard/pgtest"
)

func openTestPG(t *testing.T) Store {
	st, err := OpenPGStore(context.Background(), pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestPostgresStore(t *testing.T) { storeSuite(t, openTestPG) }

func TestPostgresMigrationsConcurrentAndRepeated(t *testing.T) {
	url := pgtest.Schema(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			st, err := OpenPGStore(ctx, url)
			if err == nil {
				st.Close()
			}
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := OpenPGStore(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != len(pgMigrations) {
		t.Fatalf("schema %d %v", v, err)
	}
}

// TestManyTokenLocksAtOnceDoNotStarveTheirOwnReads holds more token locks
// at once than the store has connections, each reading the store and
// taking the component lock inside, as concurrent refreshes of many
// accounts do: the locks must not take the connections their holders need.
func TestManyTokenLocksAtOnceDoNotStarveTheirOwnReads(t *testing.T) {
	st := openTestPG(t).(*PGStore)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errs := make(chan error, 40)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- st.WithTokenLock(ctx, authorizerKey(fmt.Sprintf("wx%016d", i)), func(ctx context.Context) error {
				time.Sleep(20 * time.Millisecond) // WeChat answering
				if _, _, err := st.Token(ctx, "k"); !errors.Is(err, ErrNotFound) {
					return err
				}
				return st.WithTokenLock(ctx, componentKey("wx00000000000000c1"), func(ctx context.Context) error {
					return st.SaveToken(ctx, "c", []byte("v"), time.Now())
				})
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
