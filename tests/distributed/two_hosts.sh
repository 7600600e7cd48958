#!/bin/sh
# two_hosts.sh MPIEXEC PROGRAM: runs PROGRAM (the distributed unit tests) as a job across two
# "hosts" on this machine: two network namespaces joined by a veth pair, 10.77.0.1 and
# 10.77.0.2, with a hostfile naming one slot on each. mpiexec runs in the first; it starts its
# daemon for the second host through a plm_rsh_agent that, instead of ssh, runs the command
# inside the second namespace (`ip netns exec`). The ranks then talk over TCP across the veth,
# as over a network; MPI sees two nodes (the tests check intra_size() == 1).
# Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns add`): otherwise 77 (skipped).
set -u
mpiexec=$1 program=$2
if [ "$(id -u)" -ne 0 ]; then echo "skipped: network namespaces need root" >&2; exit 77; fi
if ! command -v ip >/dev/null 2>&1; then echo "skipped: ip (iproute2) is missing" >&2; exit 77; fi

a=dzmpi$$a b=dzmpi$$b       # namespace names, unique per run
va=dzv$$a vb=dzv$$b         # interface names (at most 15 characters)
dir=$(mktemp -d)
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
if ! ip netns add "$a" 2>"$dir/err" || ! ip netns add "$b" 2>>"$dir/err"; then
  echo "skipped: cannot make network namespaces here: $(cat "$dir/err")" >&2
  exit 77
fi
# The addresses live inside the namespaces, so concurrent runs do not collide.
set -e
ip link add "$va" type veth peer name "$vb"
ip link set "$va" netns "$a"
ip link set "$vb" netns "$b"
ip -n "$a" addr add 10.77.0.1/24 dev "$va"
ip -n "$b" addr add 10.77.0.2/24 dev "$vb"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set "$va" up
ip -n "$b" link set "$vb" up
set +e

printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' >"$dir/hostfile"
# OpenMPI calls the agent as `agent [options] host command...`, the command for a shell.
cat >"$dir/agent" <<AGENT
#!/bin/sh
while [ \$# -gt 0 ]; do case "\$1" in -*) shift ;; *) break ;; esac; done
host=\$1
shift
case "\$host" in
  10.77.0.1) ns=$a ;;
  10.77.0.2) ns=$b ;;
  *) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
echo "agent: starting on \$host (namespace \$ns)" >&2
exec ip netns exec "\$ns" sh -c "\$*"
AGENT
chmod +x "$dir/agent"

DEZERO_EXPECT_NP=2 DEZERO_EXPECT_HOSTS=2 \
  timeout -k 5 150 ip netns exec "$a" "$mpiexec" --allow-run-as-root --hostfile "$dir/hostfile" -n 2 \
  --mca plm_rsh_agent "$dir/agent" --mca btl self,tcp \
  --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 \
  -x DEZERO_EXPECT_NP -x DEZERO_EXPECT_HOSTS "$program"
