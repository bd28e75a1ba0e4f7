//! The emulator's engine for JavaScript: `rackconnect/emulator` in the npm package
//! (`wasm/npm/src/emulator/`) is its host. Like the Python wheel's server (`python/src/emulator.rs`)
//! the host does only I/O and time: it hands each request and the time to [`EmulatorEngine::handle`],
//! waits where the engine says, and turns the answer into a `Response`. Every decision about what
//! to answer, the control API included, is the engine's; this crate only converts.

use std::collections::HashMap;

use rackconnect_emulator::clock::RealTime;
use rackconnect_emulator::engine::{Body, Config, Disposition, Engine, Held, Request, Response, Step};
use rackconnect_emulator::scenario::{self, Scenario};
use wasm_bindgen::prelude::*;

/// A time from JavaScript (milliseconds since the epoch, fractions kept to the microsecond).
fn real_time(now_ms: f64) -> RealTime {
    // `as` saturates, and a NaN becomes 0; the host passes its clock's reading.
    RealTime::from_unix_micros((now_ms * 1000.0) as i64)
}

/// The engine and the requests an injected delay holds, by number.
#[wasm_bindgen]
pub struct EmulatorEngine {
    engine: Engine,
    held: HashMap<u32, Held>,
    next_held: u32,
}

#[wasm_bindgen]
impl EmulatorEngine {
    /// Builds the world `scenario` (JSON text) describes at `now_ms`; `seed` (a `bigint`)
    /// overrides the scenario's. Throws an `Error` naming what is wrong with the scenario or the
    /// clock speed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        scenario: &str,
        clock_speed: Option<f64>,
        seed: Option<u64>,
        cors: bool,
        now_ms: f64,
    ) -> Result<EmulatorEngine, JsError> {
        let scenario = Scenario::from_json(scenario).map_err(|e| JsError::new(&e))?;
        if clock_speed.is_some_and(|s| !rackconnect_emulator::clock::speed_is_valid(s)) {
            return Err(JsError::new(&format!("clockSpeed: expected {}", rackconnect_emulator::clock::SPEED_EXPECTED)));
        }
        let engine = Engine::new(scenario, Config { cors, clock_speed, seed }, real_time(now_ms));
        Ok(EmulatorEngine { engine, held: HashMap::new(), next_held: 0 })
    }

    /// Takes one request at `now_ms`. `headers` is a JSON array of `[name, value]` pairs.
    #[allow(clippy::too_many_arguments, reason = "one flat call across the boundary, no JS object to read")]
    pub fn handle(
        &mut self,
        method: &str,
        target: &str,
        headers: &str,
        body: Vec<u8>,
        source_ip: &str,
        base_url: &str,
        now_ms: f64,
    ) -> Result<Outcome, JsError> {
        let headers: Vec<(String, String)> = serde_json::from_str(headers)
            .map_err(|e| JsError::new(&format!("headers: expected a JSON array of [name, value] pairs: {e}")))?;
        let request = Request {
            method: method.to_ascii_uppercase(),
            target: target.to_owned(),
            headers,
            body: Body::Complete(body),
            source_ip: source_ip.to_owned(),
            base_url: base_url.to_owned(),
        };
        Ok(match self.engine.handle(request, real_time(now_ms)) {
            Step::Answer(response) => Outcome::answer(response),
            Step::Wait { delay_ms, held } => {
                let id = self.next_held;
                self.next_held = self.next_held.wrapping_add(1);
                self.held.insert(id, held);
                Outcome { delay_ms: Some(delay_ms as f64), held: Some(id), ..Outcome::default() }
            }
        })
    }

    /// Answers a request an injected delay held (`Outcome.held`) at `now_ms`.
    pub fn resume(&mut self, held: u32, now_ms: f64) -> Result<Outcome, JsError> {
        let held = self.held.remove(&held).ok_or_else(|| JsError::new("no request is held under this number"))?;
        Ok(Outcome::answer(self.engine.resume(held, real_time(now_ms))))
    }

    /// Forgets a held request whose client left (its fetch was aborted).
    pub fn release(&mut self, held: u32) {
        self.held.remove(&held);
    }
}

/// What the engine said about one request: an answer (`status`, `headers`, `body`,
/// `disposition`), or a wait (`delayMs`, `held`).
#[wasm_bindgen]
#[derive(Default)]
pub struct Outcome {
    status: u16,
    headers: String,
    body: Vec<u8>,
    disposition: &'static str,
    truncate_at: Option<usize>,
    delay_ms: Option<f64>,
    held: Option<u32>,
}

impl Outcome {
    fn answer(response: Response) -> Self {
        let (disposition, truncate_at) = match response.disposition {
            Disposition::Complete => ("complete", None),
            Disposition::Reset => ("reset", None),
            Disposition::Truncate { at } => ("truncate", Some(at)),
        };
        Outcome {
            status: response.status,
            headers: serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".to_owned()),
            body: response.body,
            disposition,
            truncate_at,
            delay_ms: None,
            held: None,
        }
    }
}

#[wasm_bindgen]
impl Outcome {
    /// The status (0 for a reset or a wait).
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers, a JSON array of `[name, value]` pairs.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> String {
        self.headers.clone()
    }

    /// The body.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Vec<u8> {
        self.body.clone()
    }

    /// `complete`, `reset` or `truncate` (empty for a wait).
    #[wasm_bindgen(getter)]
    pub fn disposition(&self) -> String {
        self.disposition.to_owned()
    }

    /// For `truncate`: how many bytes of the body to deliver before the connection breaks.
    #[wasm_bindgen(getter, js_name = truncateAt)]
    pub fn truncate_at(&self) -> Option<usize> {
        self.truncate_at
    }

    /// For a wait: how long, in real milliseconds.
    #[wasm_bindgen(getter, js_name = delayMs)]
    pub fn delay_ms(&self) -> Option<f64> {
        self.delay_ms
    }

    /// For a wait: the number to hand [`EmulatorEngine::resume`] after it.
    #[wasm_bindgen(getter)]
    pub fn held(&self) -> Option<u32> {
        self.held
    }
}

/// What is wrong with a clock speed (the emulator's one rule), or `undefined` when it may run
/// a clock: the package's `clockSpeed` option is checked here before anything else.
#[wasm_bindgen(js_name = clockSpeedProblem)]
pub fn clock_speed_problem(speed: f64) -> Option<String> {
    use rackconnect_emulator::clock;
    (!clock::speed_is_valid(speed)).then(|| clock::SPEED_EXPECTED.to_owned())
}

/// The text of a built-in scenario (`demo`, `failing-automation`, `fleet`), or `undefined`.
#[wasm_bindgen(js_name = builtInScenario)]
pub fn built_in_scenario(name: &str) -> Option<String> {
    scenario::built_in(name).map(str::to_owned)
}

/// The names of the built-in scenarios.
#[wasm_bindgen(js_name = builtInScenarios)]
pub fn built_in_scenarios() -> Vec<String> {
    scenario::BUILT_IN.iter().map(|(name, _)| (*name).to_owned()).collect()
}
