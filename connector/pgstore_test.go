package connector

import (
	"context"
	"testing"

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
