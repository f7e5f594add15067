// Where everything goes and what Home Assistant's MQTT discovery is told, for one linked user: the topic layout, the
// retained config of each entity (one device per user), and the empty retained messages that remove them again.
// Pure: the publisher decides when, this module decides what.
import { createHash } from "node:crypto";
import type { MqttConfig } from "./settings.ts";
import { ENTITIES, type EntityDefinition } from "./entities.ts";

export interface Message {
  topic: string;
  payload: string;
}

export interface DeviceIdentity {
  /** userSlug(user_id): the user's part of every topic and unique_id. */
  slug: string;
  name: string;
  model: string;
  firmware: string | null;
}

/**
 * A user's stable part of topics and unique_ids: 12 hex digits of SHA-256 of their Oura id, the same on every start and
 * server, and no Oura id in every topic a broker's other clients can list.
 */
export const userSlug = (userId: string): string => createHash("sha256").update(userId).digest("hex").slice(0, 12);

export type Topics = ReturnType<typeof topicsOf>;

export function topicsOf(config: Pick<MqttConfig, "topicPrefix" | "discoveryPrefix">) {
  const user = (slug: string) => `${config.topicPrefix}/${slug}`;
  return {
    /** This server's availability: "online" while connected, "offline" (the last will) when it is not. */
    availability: `${config.topicPrefix}/status`,
    /** Home Assistant's birth message ("online" when it starts): every config is sent again then. */
    homeAssistantStatus: `${config.discoveryPrefix}/status`,
    state: (slug: string, key: string) => `${user(slug)}/${key}/state`,
    attributes: (slug: string, key: string) => `${user(slug)}/${key}/attributes`,
    // <discovery_prefix>/<component>/<node_id>/<object_id>/config: node_id one per device, object_id the entity's key.
    config: (slug: string, entity: EntityDefinition) => `${config.discoveryPrefix}/${entity.component}/oura_${slug}/${entity.key}/config`,
  };
}

export const uniqueId = (slug: string, key: string) => `oura_${slug}_${key}`;

/** One retained config per entity, each naming the same device. */
export function discoveryMessages(topics: Topics, device: DeviceIdentity, version: string): Message[] {
  const deviceBlock = {
    identifiers: [`oura_${device.slug}`],
    name: device.name,
    manufacturer: "Oura",
    model: device.model,
    ...(device.firmware ? { sw_version: device.firmware } : {}),
  };
  return ENTITIES.map((entity) => ({
    topic: topics.config(device.slug, entity),
    payload: JSON.stringify({
      name: entity.name,
      // The entity is named after its device, "Alice Sleep score", and so is its entity id (sensor.alice_sleep_score):
      // no object_id, which Home Assistant has deprecated for default_entity_id, which older versions refuse.
      has_entity_name: true,
      unique_id: uniqueId(device.slug, entity.key),
      state_topic: topics.state(device.slug, entity.key),
      json_attributes_topic: topics.attributes(device.slug, entity.key),
      availability_topic: topics.availability,
      ...(entity.device_class ? { device_class: entity.device_class } : {}),
      ...(entity.state_class ? { state_class: entity.state_class } : {}),
      ...(entity.unit_of_measurement ? { unit_of_measurement: entity.unit_of_measurement } : {}),
      ...(entity.options ? { options: entity.options } : {}),
      ...(entity.icon ? { icon: entity.icon } : {}),
      ...(entity.entity_category ? { entity_category: entity.entity_category } : {}),
      device: deviceBlock,
      origin: { name: "Oura Streaming", sw_version: version },
      qos: 1,
    }),
  }));
}

/** Empty retained messages: Home Assistant removes each entity (and the device with its last one); the broker forgets the states. */
export function removalMessages(topics: Topics, slug: string): Message[] {
  return ENTITIES.flatMap((entity) => [
    { topic: topics.config(slug, entity), payload: "" },
    { topic: topics.state(slug, entity.key), payload: "" },
    { topic: topics.attributes(slug, entity.key), payload: "" },
  ]);
}
