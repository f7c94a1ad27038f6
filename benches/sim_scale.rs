//! Simulator speed and memory, rerunnable by anyone: `cargo bench --bench sim_scale`.
//!
//! 1. Command latency: one simulated Cisco over SSH on loopback answers `show clock`-sized
//!    commands (`terminal length 0`) back to back; the peer is a plain TCP echo round trip on
//!    loopback in the same run, so the ratio is what the simulator adds to the network.
//! 2. The session engine alone (no network): commands per second through `Session::feed`.
//! 3. Scale: 500 simulated switches, each with its own SSH listener, in this one process;
//!    resident memory before and after (from /proc/self/status).

use std::time::{Duration, Instant};

use switchlab_sim::session::{Session, SessionStart};
use switchlab_sim::{Sim, SimOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn read_until(stream: &mut (impl AsyncReadExt + Unpin), end: &[u8], buf: &mut Vec<u8>) {
    let mut chunk = [0u8; 4096];
    while !buf.ends_with(end) {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "closed");
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.clear();
}

async fn ssh_latency(n: usize) -> Duration {
    let mut o = SimOptions::new("cisco_ios");
    o.password = "admin".into();
    let mut sim = Sim::start(o).expect("sim");
    let addr = sim
        .listen_ssh("127.0.0.1:0".parse().unwrap())
        .await
        .expect("listen");
    let dir = tempfile::tempdir().unwrap();
    unsafe { std::env::set_var("BENCH_PASS", "admin") };
    let access = switchlab::format::lab::SshAccess {
        host: "127.0.0.1".into(),
        port: addr.port(),
        user: "admin".into(),
        password_env: Some("BENCH_PASS".into()),
        key_file: None,
        agent: false,
        legacy_algorithms: false,
        jump: None,
        connect_timeout: None,
    };
    let opts = switchlab::transport::ConnectOptions {
        accept_new_host_keys: true,
        known_hosts: vec![dir.path().join("kh")],
        learn_into: dir.path().join("kh"),
        lab_dir: dir.path().into(),
        connect_timeout: Duration::from_secs(5),
        auth_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        command_timeout: Duration::from_secs(60),
        line_by_line: false,
    };
    let c = switchlab::transport::ssh::connect("bench", &access, &opts)
        .await
        .expect("connect");
    let mut s = c.stream;
    let mut buf = Vec::new();
    read_until(&mut s, b"Switch>", &mut buf).await;
    let start = Instant::now();
    for _ in 0..n {
        s.write_all(b"terminal length 0\r").await.unwrap();
        read_until(&mut s, b"Switch>", &mut buf).await;
    }
    start.elapsed() / n as u32
}

async fn echo_latency(n: usize) -> Duration {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut b = [0u8; 4096];
        loop {
            let n = sock.read(&mut b).await.unwrap();
            if n == 0 {
                return;
            }
            sock.write_all(&b[..n]).await.unwrap();
        }
    });
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let mut buf = Vec::new();
    let start = Instant::now();
    for _ in 0..n {
        s.write_all(b"terminal length 0\r").await.unwrap();
        read_until(&mut s, b"0\r", &mut buf).await;
    }
    start.elapsed() / n as u32
}

fn engine_rate(n: usize) -> f64 {
    let mut o = SimOptions::new("arista_eos");
    o.password = "admin".into();
    let sim = Sim::start(o).expect("sim");
    let (mut session, _) = Session::new(
        sim.dialect,
        sim.device.clone(),
        SessionStart {
            console: false,
            authenticated: true,
            acknowledge: false,
            echo_secrets: false,
        },
    );
    let start = Instant::now();
    for _ in 0..n {
        let out = session.feed(b"show interfaces Ethernet49\r");
        assert!(out.len() > 100);
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn scale(count: usize) -> (u64, u64, Duration) {
    let before = rss_kib();
    let start = Instant::now();
    let mut sims = Vec::with_capacity(count);
    for i in 0..count {
        let vendor = [
            "cisco_ios",
            "arista_eos",
            "dell_force10",
            "brocade_fastiron",
            "interface_masters",
        ][i % 5];
        let mut o = SimOptions::new(vendor);
        o.name = format!("sw{i}");
        let mut sim = Sim::start(o).expect("sim");
        sim.listen_ssh("127.0.0.1:0".parse().unwrap())
            .await
            .expect("listen");
        sims.push(sim);
    }
    let took = start.elapsed();
    let after = rss_kib();
    drop(sims);
    (before, after, took)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let n = 2000;
        let echo = echo_latency(n).await;
        let ssh = ssh_latency(n).await;
        println!("command round trip over SSH on loopback: {:.1} µs (TCP echo peer: {:.1} µs, ratio {:.1}x)", ssh.as_secs_f64() * 1e6, echo.as_secs_f64() * 1e6, ssh.as_secs_f64() / echo.as_secs_f64());
        let rate = engine_rate(20_000);
        println!("session engine alone: {:.0} `show interfaces PORT` per second ({:.1} µs each)", rate, 1e6 / rate);
        let (before, after, took) = scale(500).await;
        println!(
            "500 simulated switches with SSH listeners: RSS {:.1} MiB -> {:.1} MiB (+{:.1} MiB, {:.0} KiB per switch; started in {:.2} s)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            (after - before) as f64 / 1024.0,
            (after - before) as f64 / 500.0,
            took.as_secs_f64()
        );
    });
}
