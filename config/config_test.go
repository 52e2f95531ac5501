package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(nil)
	require.NoError(t, err)
	require.True(t, cfg.Embedded())
	require.Equal(t, ":8080", cfg.ListenAddr)
	require.Equal(t, "id", cfg.DefaultLanguage)
	require.Equal(t, 15*time.Second, cfg.ShutdownTimeout)
	require.Equal(t, filepath.Join("data", "tanggap.db"), cfg.SQLitePath())
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		name    string
		env     []string
		wantVar string
		wantMsg string
	}{
		{"bad language", []string{"TANGGAP_DEFAULT_LANGUAGE=fr"}, "TANGGAP_DEFAULT_LANGUAGE", "valid values are id, en"},
		{"bad level", []string{"TANGGAP_LOG_LEVEL=loud"}, "TANGGAP_LOG_LEVEL", "debug, info, warn, error"},
		{"bad format", []string{"TANGGAP_LOG_FORMAT=xml"}, "TANGGAP_LOG_FORMAT", "json, text"},
		{"bad listen", []string{"TANGGAP_LISTEN_ADDR=8080"}, "TANGGAP_LISTEN_ADDR", "host:port"},
		{"bad db url", []string{"TANGGAP_DATABASE_URL=mysql://x"}, "TANGGAP_DATABASE_URL", "postgres://"},
		{"bad duration", []string{"TANGGAP_SHUTDOWN_TIMEOUT=soon"}, "TANGGAP_SHUTDOWN_TIMEOUT", ""},
		{"bad int", []string{"TANGGAP_MAX_BODY_BYTES=lots"}, "MAX_BODY_BYTES", ""},
		{"small body", []string{"TANGGAP_MAX_BODY_BYTES=10"}, "TANGGAP_MAX_BODY_BYTES", "too small"},
		{"bad proxy", []string{"TANGGAP_TRUSTED_PROXIES=10.0.0.0/8,nonsense"}, "TANGGAP_TRUSTED_PROXIES", "nonsense"},
		{"unknown var", []string{"TANGGAP_DATABSE_URL=postgres://x"}, "TANGGAP_DATABSE_URL", "unknown variable"},
		{"bad base url", []string{"TANGGAP_PUBLIC_BASE_URL=example.org"}, "TANGGAP_PUBLIC_BASE_URL", "absolute"},
		{"negative rate", []string{"TANGGAP_RATE_WRITE_PER_MINUTE=-1"}, "TANGGAP_RATE_WRITE_PER_MINUTE", "0 (no limit)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.env)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.wantVar)
			require.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestFileAndEnvPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tanggap.env")
	require.NoError(t, os.WriteFile(path, []byte("TANGGAP_LISTEN_ADDR=127.0.0.1:9000\nTANGGAP_LOG_FORMAT=text\n"), 0o600))
	cfg, err := Load([]string{"TANGGAP_CONFIG_FILE=" + path, "TANGGAP_LOG_FORMAT=json"})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:9000", cfg.ListenAddr, "value from the file")
	require.Equal(t, "json", cfg.LogFormat, "environment wins over the file")

	bad := filepath.Join(t.TempDir(), "bad.env")
	require.NoError(t, os.WriteFile(bad, []byte("PATH=/tmp\n"), 0o600))
	_, err = Load([]string{"TANGGAP_CONFIG_FILE=" + bad})
	require.ErrorContains(t, err, "PATH is not a Tanggap variable")

	_, err = Load([]string{"TANGGAP_CONFIG_FILE=/does/not/exist"})
	require.ErrorContains(t, err, "TANGGAP_CONFIG_FILE")
}

func TestRedactedHidesPassword(t *testing.T) {
	cfg, err := Load([]string{"TANGGAP_DATABASE_URL=postgres://app:s3cret@db:5432/tanggap?sslmode=disable", "TANGGAP_METRICS_TOKEN=scr4pe-secret"})
	require.NoError(t, err)
	var dump strings.Builder
	for _, kv := range cfg.Redacted() {
		dump.WriteString(kv[0] + "=" + kv[1] + "\n")
	}
	require.NotContains(t, dump.String(), "s3cret")
	require.NotContains(t, dump.String(), "scr4pe-secret")
	require.Contains(t, dump.String(), "TANGGAP_METRICS_TOKEN=[redacted]")
	require.Contains(t, dump.String(), "TANGGAP_DATABASE_URL=postgres://app:xxxxx@db:5432/tanggap")
}

func TestEveryOptionDocumented(t *testing.T) {
	for _, o := range Options() {
		require.NotEmpty(t, o.Description, o.Name)
		require.True(t, strings.HasPrefix(o.Name, Prefix))
	}
}

// TestREADMEDocumentsEveryVariable keeps the README's configuration table
// in step with the options.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, o := range Options() {
		require.Contains(t, string(readme), "| `"+o.Name+"` |", "README configuration table lacks %s", o.Name)
	}
}
