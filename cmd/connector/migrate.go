package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"oawizard/connector"
)

// copyStore moves a single-machine deployment onto PostgreSQL.
func copyStore(from, to string, stdout io.Writer) error {
	if !strings.HasPrefix(from, "sqlite:") || !connector.IsPostgresURL(to) {
		return errors.New("migrate: use -from sqlite:PATH -to postgres://user:password@host/database")
	}
	path := strings.TrimPrefix(from, "sqlite:")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("migrate: the SQLite store %s cannot be read: %w", path, err)
	}
	ctx := context.Background()
	src, err := connector.OpenStore(path)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := connector.OpenPGStore(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := connector.CopyToPostgres(ctx, src, dst)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(stdout, "%s: %d\n", k, counts[k])
	}
	fmt.Fprintln(stdout, "copied; point every instance's -db (CONNECTOR_DB) at the PostgreSQL address and keep the same store key")
	return nil
}
