package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL cluster of one test's own, for the tests that
// stop or restart the server: doing that to the shared cluster would break
// the tests of other packages running against it at the same time.
type Cluster struct {
	URL   string // the address of its one database
	bin   string
	dir   string
	owner []string // runuser prefix when running as root
}

// NewCluster starts a cluster in a temporary folder on a free loopback
// port, with a random password, stopped and removed when the test ends. It
// skips or fails as Schema does when PostgreSQL is not available.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := binDir()
	if bin == "" {
		if os.Getenv("OAWIZARD_REQUIRE_POSTGRES") == "1" {
			t.Fatal("OAWIZARD_REQUIRE_POSTGRES=1 but no PostgreSQL binaries were found (Debian: apt-get install postgresql)")
		}
		t.Skip("no PostgreSQL binaries (Debian: apt-get install postgresql): skipping the PostgreSQL restart tests")
	}
	// Not t.TempDir: under root the cluster belongs to `postgres`, who
	// must reach the folder, and t.TempDir's parent is root's alone.
	dir, err := os.MkdirTemp("", "oawizard-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{bin: bin, dir: dir}
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			t.Fatal("running as root needs the 'postgres' user (created by Debian's postgresql package)")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.owner = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		c.ctl("-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	})
	b := make([]byte, 16)
	rand.Read(b)
	password := hex.EncodeToString(b)
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pw, uid, gid); err != nil {
		t.Fatal(err)
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pw, "-E", "UTF8", "--locale=C"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// A free port may be taken between the look and the start: try again.
	for try := 0; ; try++ {
		port := freePort(t)
		out, err := c.ctl("-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o",
			fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c max_connections=100", port, dir), "start")
		if err == nil {
			c.URL = fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", password, port)
			break
		}
		if try == 4 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	return c
}

// Restart restarts the server as an operator would (pg_ctl restart -m
// fast): every connection is closed and the server refuses new ones until
// it is back.
func (c *Cluster) Restart() error {
	// -l again: without it the new server would write its log to our
	// pipe and hold it open after pg_ctl exits.
	if out, err := c.ctl("-l", filepath.Join(c.dir, "server.log"), "-m", "fast", "-w", "-t", "60", "restart"); err != nil {
		return fmt.Errorf("pg_ctl restart: %v\n%s", err, out)
	}
	return nil
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) ctl(args ...string) ([]byte, error) {
	// restart reuses the options the server was started with.
	return c.run(append([]string{filepath.Join(c.bin, "pg_ctl"), "-D", c.data()}, args...)...)
}

// run runs a PostgreSQL program as the cluster's owner.
func (c *Cluster) run(args ...string) ([]byte, error) {
	args = append(append([]string{}, c.owner...), args...)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// binDir finds PostgreSQL's programs: where scripts/with-postgres.sh found
// them, else pg_config's answer, else Debian's newest version.
func binDir() string {
	if d := os.Getenv("OAWIZARD_TEST_PGBIN"); d != "" {
		return d
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(m, func(i, j int) bool { return versionOf(m[i]) > versionOf(m[j]) })
	if len(m) == 0 {
		return ""
	}
	return filepath.Dir(m[0])
}

func versionOf(p string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
	return n
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
