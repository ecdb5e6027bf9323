// The events stage's public surface: the LiveEvent type, the Kafka and HTTP CloudEvents bindings
// and the one error they throw.
export { CAUSE_ID, INGEST_TIME, STREAM, ingestTimeOf, isValidExtensionName, type LiveEvent } from './cloudevent.js';
export { CloudEventDecodeError, isCloudEventDecodeError } from './cloudevent-decode-error.js';
export {
  cloudEventToKafkaRecord,
  cloudEventToStructuredKafkaRecord,
  createKafkaRecordDecoder,
  KAFKA_EVENT_TYPE,
  KAFKA_OFFSET_EXTENSION,
  KAFKA_PARTITION_EXTENSION,
  kafkaHeaderExtensionName,
  kafkaRecordToCloudEvent,
  type KafkaCloudEventRecord,
  type KafkaHeaderValue,
  type KafkaKeyType,
  type KafkaRecord,
  type KafkaRecordDecoder,
  type KafkaSourceIdentity,
} from './kafka-binding.js';
export {
  cloudEventsToHttpBatchMessage,
  cloudEventToHttpMessage,
  cloudEventToStructuredHttpMessage,
  httpRequestToCloudEvents,
  type HttpCloudEventMessage,
  type HttpHeaders,
} from './http-binding.js';
export { parseEventBatch, parseStructuredEvent, serializeStructuredEvent } from './json-format.js';
