-- The providers to filter by (staff, not patients).
select provider_id, coalesce(full_name, 'Provider ' || provider_id) as provider_name
from marts.dim_providers
order by provider_name, provider_id
