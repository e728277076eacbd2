//! End-to-end benchmark tables, model-size sweeps and plots. Placeholder: being written.
