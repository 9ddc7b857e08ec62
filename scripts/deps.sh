# Debian 12 packages vnetlat needs, by purpose. Sourced by setup and test.
# Build: compiler, meson, and the libraries found with pkg-config.
VNL_BUILD_PKGS="gcc clang llvm meson ninja-build pkg-config libmnl-dev libjansson-dev
  libinih-dev libcmocka-dev libbpf-dev bpftool zlib1g-dev"
# Run and test: namespaces and links (iproute2), ping in the lab test, JSON checks (python3),
# iperf3 for a study's background load, QEMU for guests (the guest's kernel and busybox
# are downloaded, not installed: `guest build`).
VNL_RUN_PKGS="iproute2 iputils-ping procps python3 ethtool qemu-system-x86 iperf3 dnsmasq
  openvswitch-switch gnuplot-nox qemu-system-arm openssh-client"
# The aarch64 guest (`guest build --arch aarch64`, qemu-system-aarch64 from qemu-system-arm
# above): its static vnetlat is cross-compiled (scripts/build-guest-static) against arm64
# jansson and zlib that script downloads into a sysroot, not installed.
VNL_CROSS_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
# Tests only: headless Chromium opens the study report's HTML (study_report test); strace
# counts the programs a guest-image cache hit runs (guest_cache test); Debian's
# prometheus_client parses report --metrics (report_window test); the Debian package's
# build and check (debian_package test: dpkg-buildpackage with debhelper, lintian); linuxptp's
# ptp4l and pmc, a master and a slave whose state 'clock status' reads (clock_ptp4l test);
# tshark reads recv --pcap's files back (stream_pcap test); Open vSwitch's DPDK build for
# ovs --vhost-user (lab_vhostuser test; it leaves the system's ovs-vswitchd alternative alone);
# OpenSSH's server, the other host of run --remote in a lab namespace (run_ssh test, scripts/ns-sshd).
VNL_TEST_PKGS="chromium strace python3-prometheus-client tshark debhelper dpkg-dev fakeroot lintian linuxptp
  openssh-client openssh-server
  openvswitch-switch-dpdk"
# Benchmarks: the peer tools vnetlat is compared with in the same run.
VNL_BENCH_PKGS="sockperf rt-tests iperf3 time"

# Install what is missing; apt-get update only when something is.
vnl_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
			|| missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

vnl_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$0: needs root (it installs packages and creates network namespaces); run it with sudo" >&2
		exit 2
	fi
}
