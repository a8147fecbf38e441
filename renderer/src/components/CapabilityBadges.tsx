/** A plugin's capabilities as small badges. */
export function CapabilityBadges({ capabilities }: { capabilities: readonly string[] }) {
  return (
    <ul className="badges" aria-label="Capabilities">
      {capabilities.map((capability) => (
        <li key={capability} className="badge">
          {capability.toLowerCase()}
        </li>
      ))}
    </ul>
  );
}
