//! README quick start (tokio): async calls on a current-thread runtime, and events.
//! `cargo run -p rvirt-examples --example quick_tokio`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ev = rvirt::tokio::TokioLoop::new(rt.handle().clone());
    let conn = rvirt::open_with_loop("test:///default", ev.shared())?;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    conn.domain_event_register_any(None, rvirt::DomainEventId::Lifecycle, move |dom, ev| {
        let _ = tx.send(format!("{}: {ev:?}", dom.name()));
    })?;
    let t = std::time::Duration::from_secs(5);
    Ok(rt.block_on(async {
        let dom = conn.lookup_domain_by_name_async("test").timeout(t).await?;
        dom.suspend_async().await?;
        dom.resume_async().await?;
        println!("{}", events.recv().await.expect("suspended"));
        println!("{}", events.recv().await.expect("resumed"));
        Ok::<_, rvirt::Error>(())
    })?)
}
