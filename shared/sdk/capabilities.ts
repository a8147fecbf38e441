import { z } from 'zod';

export const Capability = z.enum(['DISCOVER', 'ARCHIVE', 'STREAM', 'METADATA', 'PROCESS']);
export type Capability = z.infer<typeof Capability>;
export const Capabilities = Capability.enum;

export function hasCapability(subject: { capabilities: readonly Capability[] }, capability: Capability): boolean {
  return subject.capabilities.includes(capability);
}
