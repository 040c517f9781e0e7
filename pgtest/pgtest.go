// Package pgtest gives tests a PostgreSQL schema of their own in the
// throwaway cluster scripts/with-postgres.sh starts.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Schema returns the address of an empty schema of its own in the
// throwaway cluster scripts/with-postgres.sh starts. Without a cluster the
// test skips, unless PostgreSQL is installed (then the cluster was merely
// not started) or OAWIZARD_REQUIRE_POSTGRES=1: a silent skip would hide the
// multi-instance tests from CI.
func Schema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("OAWIZARD_TEST_POSTGRES")
	if base == "" {
		switch {
		case os.Getenv("OAWIZARD_REQUIRE_POSTGRES") == "1":
			t.Fatal("OAWIZARD_REQUIRE_POSTGRES=1 but OAWIZARD_TEST_POSTGRES is not set: run the tests through scripts/with-postgres.sh")
		case postgresInstalled():
			t.Fatal("PostgreSQL is installed but no test cluster runs: run the tests through scripts/with-postgres.sh")
		}
		t.Skip("no PostgreSQL binaries (Debian: apt-get install postgresql): skipping the PostgreSQL store tests")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			c.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			c.Close(context.Background())
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// postgresInstalled tells whether this machine has PostgreSQL's programs,
// found as the test clusters find them.
func postgresInstalled() bool { return binDir() != "" }
