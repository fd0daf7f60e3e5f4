/**
 * The ingest_scoring step: reads the data to score exactly as ingest reads training data (same
 * config fields, formats, type inference and profile card), into `dataset.arrow`.
 */
import { makeIngestStep } from './ingest.js';

export const ingestScoringStep = makeIngestStep('ingest_scoring');
