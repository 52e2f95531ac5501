package jobs

import (
	"os"
	"strconv"
	"strings"
)

// DefaultReplicaID names this process "hostname/pid": unique among live
// processes, and it lets a restarted process on the same host tell that an
// earlier one is gone (deadLocalReplica).
func DefaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "/" + strconv.Itoa(os.Getpid())
}

// deadLocalReplica reports whether id is a DefaultReplicaID of this host
// whose process no longer exists. Anything else (another host, a configured
// name, a live or unknowable process) is left to the heartbeat rule.
func deadLocalReplica(id string) bool {
	host, pidText, ok := strings.Cut(id, "/")
	if !ok {
		return false
	}
	me, err := os.Hostname()
	if err != nil || host != me {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}
